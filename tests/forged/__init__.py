"""Every persistent component refuses a forged custom_id, and nothing changes.

Persistent buttons (`DynamicItem`s) carry a record id in their custom_id, and a modified
client can send any custom_id: another server's alert id (ids are sequential), another
member's entry, a report card's button without being a moderator, from a DM, or a
30-digit number. Each must get a friendly, ephemeral refusal (never the apology, never
a logged traceback) and leave every table as it was.

Server A is the harness's default world; server B (`h.add_server()`) has its own
channels, moderator role and members. Every registered `DynamicItem` class is listed in
`tests/forged/helpers.FORGED`, and `test_every_persistent_component_is_covered` fails
when a new one is added without a forged-id test in this package.
"""
