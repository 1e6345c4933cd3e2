"""Pure rules of notification roles: who may register or join one, and what pings it.

No discord import: the cog reads the facts off discord.py's objects (`RoleCheck`) and
these functions decide, so every refusal and every match can be unit-tested alone. The
filters and their matching are the alert subscriptions' own (`cogs.alerts.rules`): a
role matches an alert exactly when a subscription with the same filters would.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cogs.alerts.rules import AlertFacts, Filters, matches

#: Registered roles per server: enough for a few platforms and pay levels, few enough
#: that `/notify-role list` fits one embed and an alert never posts a wall of mentions.
MAX_ROLES = 20

#: Requester standings for which no role is mentioned: a mass ping for a task from a
#: requester moderators flagged as a scam would send many members to it at once. The
#: alert itself still shows the warning, and DMs carry it (cogs/alerts/render.py).
SILENT_STANDINGS = frozenset({"scam"})


@dataclass(frozen=True, slots=True)
class RoleCheck:
    """What the cog read off one role, the bot and the member acting, for one decision."""

    in_guild: bool = True
    is_default: bool = False
    managed: bool = False
    mentionable: bool = False
    below_bot: bool = True
    bot_manages_roles: bool = True
    actor_can_assign: bool = True
    #: Server permissions the role gives that @everyone does not have (their names).
    extra_permissions: tuple[str, ...] = ()
    #: The role opens channels (a permission overwrite that allows something).
    opens_channels: bool = False
    #: The role the server configured as its moderators' (`/setup`).
    is_moderator_role: bool = False


def power_refusal(check: RoleCheck) -> str | None:
    """Why a role must never be handed out on request (a catalog key), or None.

    A member joins a notification role with one command and no one's approval, so the
    role must give nothing @everyone does not already have: no server permission, no
    channel a member could not see, and not the role Entraide itself takes for a
    moderator's. Checked when it is registered and again at every join, since a role's
    permissions can change after it was registered.
    """
    if check.is_moderator_role:
        return "roles.errors.moderator_role"
    if check.extra_permissions:
        return "roles.errors.grants_permissions"
    if check.opens_channels:
        return "roles.errors.opens_channels"
    return None


def add_refusal(check: RoleCheck) -> str | None:
    """Why a moderator may not register this role (a catalog key), or None.

    - `@everyone` and roles managed by an integration (bots, boosts, linked roles) can
      be given by no one, so members could never join them;
    - a role anyone may @mention is refused: then any member could ping everyone who
      opted in, and the point of an opt-in role (only matching alerts ping it) is lost;
      moderators turn "Allow anyone to @mention this role" off and the bot mentions it
      with its own permission;
    - a role with powers (`power_refusal`): members would give them to themselves;
    - the bot must be able to hand the role out (Manage Roles, role below its own);
    - and the moderator must be able to assign it themselves, so registering a role can
      never be a way to give members a role above the moderator's own.
    """
    if not check.in_guild:
        return "roles.errors.not_here"
    if check.is_default:
        return "roles.errors.everyone"
    if check.managed:
        return "roles.errors.managed"
    if check.mentionable:
        return "roles.errors.mentionable"
    if not check.actor_can_assign:
        return "roles.errors.actor_cannot_assign"
    return power_refusal(check) or bot_refusal(check)


def bot_refusal(check: RoleCheck) -> str | None:
    """Why the bot cannot add or remove this role right now (a catalog key), or None."""
    if not check.bot_manages_roles:
        return "roles.errors.bot_no_manage_roles"
    if not check.below_bot:
        return "roles.errors.above_bot"
    return None


def join_refusal(check: RoleCheck, *, registered: bool, joining: bool = True) -> str | None:
    """Why a member may not join (or leave) this role through the bot, or None.

    Only registered roles: otherwise `/notify-role join` would hand out any role the bot
    can manage (a moderator role, say) to whoever asks. Joining also needs a role without
    powers (`power_refusal`); leaving one is always allowed.
    """
    if not check.in_guild or check.is_default or not registered:
        return "roles.errors.not_registered"
    return (power_refusal(check) if joining else None) or bot_refusal(check)


def may_announce(facts: AlertFacts) -> bool:
    """Whether an alert may mention roles at all (its requester is not flagged a scam)."""
    return facts.requester_status not in SILENT_STANDINGS


def roles_to_mention(roles: Iterable[tuple[int, Filters]], facts: AlertFacts) -> list[int]:
    """The role ids whose filters accept the alert, each once, in ascending id order."""
    if not may_announce(facts):
        return []
    searchable = facts.searchable
    return sorted(
        {role_id for role_id, filters in roles if matches(filters, facts, searchable=searchable)}
    )
