"""What moderator actions do to the data, each in one transaction (no discord here).

The cog checks who may act and tells people what happened; these functions make the
change, write the audit entry and re-derive the requester's status together, so a crash
can never leave a confirmed report without its status or its audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.errors import UserError
from cogs.requesters import identity, rules
from db import audit, reports, requesters
from db.audit import AuditEntry
from db.connection import Database
from db.reports import Report
from db.requesters import Requester


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    report: Report
    requester: Requester
    status_changed: bool


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    alias: Requester
    survivor: Requester
    status_changed: bool
    tables: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Acting:
    """Who acts, for which server, and when: what every audit entry written here shares.

    Each change in this module writes its audit entry in the change's transaction; with
    these bundled, an entry names only what differs (the action, its target and why).
    """

    db: Database
    guild_id: int
    actor_id: int
    now: int

    async def record(
        self,
        action: str,
        target_kind: str,
        target_id: int,
        *,
        reason: str | None,
        detail: Mapping[str, object] | None = None,
    ) -> None:
        await audit.record(
            self.db,
            guild_id=self.guild_id,
            actor_id=self.actor_id,
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            reason=reason,
            now=self.now,
            detail=detail,
        )


def _reason(text: str) -> str | None:
    """A moderator's reason: required, bounded, no personal data."""
    return rules.check_text(text, limit=rules.REASON_LIMIT, field="common.fields.reason")


async def _report_here(db: Database, report_id: int, guild_id: int) -> Report:
    """The report, if it belongs to this server's queue (each server acts on its own)."""
    report = await reports.get(db, report_id)
    if report is None:
        raise UserError("requesters.errors.unknown_report", number=report_id)
    if report.guild_id != guild_id:
        raise UserError("requesters.errors.other_server_report", number=report_id)
    return report


async def _closed_error(db: Database, report_id: int, guild_id: int) -> UserError:
    report = await _report_here(db, report_id, guild_id)
    return UserError(f"requesters.errors.already_{report.state}", number=report.id)


async def _apply_reports(
    act: _Acting, requester_id: int, *, report_id: int | None
) -> tuple[Requester, bool]:
    """Re-derive a requester's status from its confirmed reports (inside a transaction).

    A status that follows from reports carries no free-text reason: the confirmed
    categories, shown in each reader's language, are the reason.
    """
    db = act.db
    current = await requesters.get(db, requester_id)
    assert current is not None
    since = (current.status_changed_at or 0) if current.status_source == "moderator" else 0
    derived = rules.derive_status(await reports.confirmed_counts(db, requester_id, since))
    status, source = rules.next_status(current.status, current.status_source, derived)
    if status == current.status and source == current.status_source:
        return current, False
    reason = current.status_reason if source == "moderator" else None
    updated = await requesters.set_status(
        db, requester_id, status=status, reason=reason, source=source, now=act.now
    )
    if status != current.status:
        await act.record(
            "requester_status_auto",
            "requester",
            requester_id,
            reason=None,
            detail={"from": current.status, "to": status, "report": report_id},
        )
    return updated, status != current.status


async def close_report(
    db: Database,
    report_id: int,
    *,
    guild_id: int,
    moderator_id: int,
    state: str,
    reason: str,
    now: int,
) -> ReportOutcome:
    """Confirm or dismiss an open report; a confirmation may change the status."""
    assert state in ("confirmed", "dismissed")
    reason_text = _reason(reason)
    act = _Acting(db, guild_id, moderator_id, now)
    async with db.transaction():
        report = await reports.close(
            db,
            report_id,
            guild_id=guild_id,
            state=state,
            moderator_id=moderator_id,
            reason=reason_text,
            now=now,
        )
        if report is None:
            raise await _closed_error(db, report_id, guild_id)
        await act.record(
            f"report_{'confirm' if state == 'confirmed' else 'dismiss'}",
            "report",
            report_id,
            reason=reason_text,
            detail={"requester": report.requester_id, "category": report.category},
        )
        if state == "confirmed":
            requester, changed = await _apply_reports(act, report.requester_id, report_id=report_id)
        else:
            found = await requesters.get(db, report.requester_id)
            assert found is not None
            requester, changed = found, False
    return ReportOutcome(report, requester, changed)


async def reopen_report(
    db: Database, report_id: int, *, guild_id: int, moderator_id: int, reason: str, now: int
) -> ReportOutcome:
    """Put a closed report back in the queue; the status follows (if reports set it)."""
    reason_text = _reason(reason)
    act = _Acting(db, guild_id, moderator_id, now)
    async with db.transaction():
        before = await _report_here(db, report_id, guild_id)
        report = await reports.reopen(db, report_id, guild_id, now)
        if report is None:
            raise UserError("requesters.errors.already_open", number=report_id)
        await act.record(
            "report_reopen",
            "report",
            report_id,
            reason=reason_text,
            detail={"requester": report.requester_id, "was": before.state},
        )
        requester, changed = await _apply_reports(act, report.requester_id, report_id=report_id)
    return ReportOutcome(report, requester, changed)


async def ask_reporter(
    db: Database, report_id: int, *, guild_id: int, moderator_id: int, question: str, now: int
) -> Report:
    """Record a moderator's question to the reporter (the cog delivers it)."""
    text = rules.check_text(question, limit=rules.REASON_LIMIT, field="common.fields.question")
    assert text is not None
    act = _Acting(db, guild_id, moderator_id, now)
    async with db.transaction():
        current = await _report_here(db, report_id, guild_id)
        if current.reporter_id is None:
            raise UserError("requesters.errors.reporter_gone", number=report_id)
        report = await reports.mark_info_requested(db, report_id, guild_id, now)
        if report is None:
            raise await _closed_error(db, report_id, guild_id)
        await reports.add_note(
            db, report_id, kind="question", author_id=moderator_id, body=text, now=now
        )
        await act.record("report_ask", "report", report_id, reason=text)
    return report


async def answer_report(
    db: Database, report_id: int, reporter_id: int, answer: str, now: int
) -> Report:
    """The reporter's answer, appended to their open report."""
    text = rules.check_text(answer, limit=rules.ANSWER_LIMIT, field="common.fields.answer")
    assert text is not None
    async with db.transaction():
        current = await reports.get(db, report_id)
        if current is None or current.reporter_id != reporter_id:
            raise UserError("requesters.errors.unknown_report", number=report_id)
        report = await reports.answer_received(db, report_id, reporter_id, now)
        if report is None:
            raise UserError("requesters.errors.report_closed_thanks", number=report_id)
        await reports.add_note(
            db, report_id, kind="answer", author_id=reporter_id, body=text, now=now
        )
        act = _Acting(db, report.guild_id, reporter_id, now)
        await act.record("report_answer", "report", report_id, reason=None)
    return report


async def set_status(
    db: Database,
    requester_id: int,
    *,
    guild_id: int,
    moderator_id: int,
    status: str,
    reason: str,
    now: int,
) -> tuple[Requester, bool]:
    """A moderator's decision about a requester's status, with its reason."""
    rules.check_status(status)
    reason_text = _reason(reason)
    act = _Acting(db, guild_id, moderator_id, now)
    async with db.transaction():
        current = await requesters.resolve(db, requester_id)
        if current is None:
            raise UserError("requesters.errors.unknown_requester")
        new_reason = reason_text if status != "none" else None
        if current.status == status and current.status_reason == new_reason:
            return current, False
        # Lowering a status, or rewording the reason every server shows for it, is for
        # the servers that stand behind it; anyone may make it more severe.
        if not rules.is_lower(current.status, status) and not await _stands_behind(
            db, current, guild_id, status
        ):
            raise UserError(
                "requesters.errors.status_held_elsewhere",
                name=rules.preview(current.name),
            )
        updated = await requesters.set_status(
            db, current.id, status=status, reason=new_reason, source="moderator", now=now
        )
        await act.record(
            "requester_status",
            "requester",
            current.id,
            reason=reason_text,
            detail={"from": current.status, "to": status},
        )
    return updated, True


async def _stands_behind(db: Database, current: Requester, guild_id: int, status: str) -> bool:
    """Whether this server may lower the requester's current status to `status`.

    The registry is shared, so a warning one server's moderators set (or that reports
    confirmed there gave) protects every server's members: another server may make it
    more severe, never lift it (a server set up for that purpose could otherwise launder
    a scam for everyone). A status set by hand belongs to the server of the last hand-made
    change or merge on the record; one that follows from reports, to the servers that
    confirmed them. A record merged into it brings its own: the newest hand-made change
    on any of them decides, and with none on record nobody here may lift it.

    Whoever made the last change, what other servers decided still holds
    (`_held_elsewhere`): a server cannot take a warning over (by setting it again, or by
    raising a fresh record and merging the flagged one into it) and then lift it.
    """
    if current.status_source == "moderator":
        records = [current.id, *(a.id for a in await requesters.aliases(db, current.id))]
        changes = [
            entry
            for record in records
            for entry in await audit.for_target(
                db, "requester", record, action="requester_status", newest=1
            )
        ]
        newest = max(changes, key=lambda entry: entry.id, default=None)
        if newest is None or newest.guild_id != guild_id:
            return False
    elif await reports.confirmed_elsewhere(db, current.id, guild_id):
        return False
    return not rules.is_lower(status, await _held_elsewhere(db, current, guild_id))


async def _held_elsewhere(db: Database, current: Requester, guild_id: int) -> str:
    """The most severe status other servers still stand behind for this requester.

    What their confirmed reports about it call for, and each one's latest hand-made
    status of it or of any record merged into it.
    """
    held = rules.derive_status(await reports.confirmed_counts_elsewhere(db, current.id, guild_id))
    latest: dict[int, AuditEntry] = {}
    for record in [current.id, *(a.id for a in await requesters.aliases(db, current.id))]:
        for entry in await audit.for_target(db, "requester", record, action="requester_status"):
            if entry.guild_id == guild_id:
                continue
            if entry.guild_id not in latest or entry.id > latest[entry.guild_id].id:
                latest[entry.guild_id] = entry
    for entry in latest.values():
        decided = str(entry.detail.get("to", "none"))
        if decided in rules.STATUSES:
            held = rules.more_severe(held, decided)
    return held


async def merge(
    db: Database,
    alias_id: int,
    survivor_id: int,
    *,
    guild_id: int,
    moderator_id: int,
    reason: str,
    now: int,
) -> MergeOutcome:
    """Make one requester record an alias of another, keeping the more severe status."""
    reason_text = _reason(reason)
    act = _Acting(db, guild_id, moderator_id, now)
    async with db.transaction():
        alias = await requesters.get(db, alias_id)
        survivor = await requesters.get(db, survivor_id)
        if alias is None or survivor is None:
            raise UserError("requesters.errors.unknown_requester")
        if alias.merged_into_id is not None:
            raise UserError("requesters.errors.already_alias", name=rules.preview(alias.name))
        if survivor.merged_into_id is not None:
            raise UserError(
                "requesters.errors.survivor_is_alias", name=rules.preview(survivor.name)
            )
        if alias.id == survivor.id:
            raise UserError("requesters.errors.merge_same")
        if alias.platform != survivor.platform:
            raise UserError("requesters.errors.merge_platforms")
        tables = await requesters.merge_records(db, alias.id, survivor.id, now)
        await act.record(
            "requester_merge",
            "requester",
            survivor.id,
            reason=reason_text,
            detail={"alias": alias.id, "alias_name": alias.name, "survivor": survivor.id},
        )
        status = rules.more_severe(survivor.status, alias.status)
        changed = False
        if status != survivor.status:
            # The alias's status came with evidence; merging must not launder it away.
            survivor = await requesters.set_status(
                db,
                survivor.id,
                status=status,
                reason=alias.status_reason,
                source=alias.status_source,
                now=now,
            )
            changed = True
        survivor, derived_changed = await _apply_reports(act, survivor.id, report_id=None)
        merged_alias = await requesters.get(db, alias.id)
        assert merged_alias is not None
    return MergeOutcome(merged_alias, survivor, changed or derived_changed, tuple(tables))


async def resolve_requester(
    db: Database, query: rules.RequesterQuery, *, create: bool, now: int
) -> Requester:
    """Find the requester a member named, creating it when they may (review, report).

    An existing record is never renamed from here: a member's spelling of a name must
    not overwrite the registry every server shares.
    """
    if query.record_id is not None:
        found = await requesters.resolve(db, query.record_id)
        if found is None:
            raise UserError("requesters.errors.unknown_requester")
        return found
    if query.platform_requester_id is not None:
        assert query.platform is not None
        found = await requesters.find_by_platform_id(
            db, query.platform, query.platform_requester_id
        )
        if found is not None:
            return found
        if not create:
            raise UserError("requesters.errors.unknown_requester")
        if query.name:
            # A flagged record known by this name alone may be this very requester
            # (`identity.match_name_with_new_id`, as for shares): the review or report is
            # its, and no clean record of that name and id is made for shares to find.
            known = await requesters.find_by_name(db, query.name, query.platform)
            match = identity.match_name_with_new_id(
                identity.Known(k.id, k.status, k.platform_requester_id) for k in known
            )
            if match.record is not None:
                return next(k for k in known if k.id == match.record.id)
            return await requesters.upsert(
                db, query.platform, query.platform_requester_id, query.name, now
            )
        return await requesters.ensure_platform_id(
            db, query.platform, query.platform_requester_id, now
        )
    assert query.name is not None
    matches = await requesters.find_by_name(db, query.name, query.platform)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UserError("requesters.errors.ambiguous", name=rules.preview(query.name))
    if not create:
        raise UserError("requesters.errors.unknown_requester_named", name=rules.preview(query.name))
    if query.platform is None:
        raise UserError("requesters.errors.platform_required_new", name=rules.preview(query.name))
    return await requesters.upsert(db, query.platform, None, query.name, now)


async def forget_name(
    db: Database,
    requester_id: int,
    name: str,
    *,
    guild_id: int,
    moderator_id: int,
    reason: str,
    now: int,
) -> str:
    """Drop another name of a record (a sharer's name that is not this requester's)."""
    reason_text = rules.check_text(reason, limit=rules.REASON_LIMIT)
    act = _Acting(db, guild_id, moderator_id, now)
    async with db.transaction():
        current = await requesters.resolve(db, requester_id)
        if current is None:
            raise UserError("requesters.errors.unknown_requester")
        # A flagged record's other names carry its warning to shares by name alone:
        # forgetting one lifts the warning there, so it is the servers' that stand behind
        # the status, as lowering the status is.
        if current.flagged and not await _stands_behind(db, current, guild_id, "none"):
            raise UserError(
                "requesters.errors.name_held_elsewhere",
                name=rules.preview(name),
                requester=rules.preview(current.name),
            )
        removed = await requesters.forget_name(db, current.id, name)
        if removed is None:
            raise UserError("requesters.errors.no_such_name", name=rules.preview(name))
        await act.record(
            "requester_name_forgotten",
            "requester",
            requester_id,
            reason=reason_text,
            detail={"name": removed},
        )
    return removed
