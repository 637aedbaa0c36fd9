"""The only place that changes memberships. Every decision is written to the audit log
in the same transaction; files are deleted only once that transaction commits."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation

from backend.accounts.domain_events import AccountErased
from backend.accounts.models import User
from backend.common import domain_events, events
from backend.common.errors import VoisinsError, require_reason
from backend.neighbourhoods.selectors import neighbourhood_at
from backend.trust import domain, selectors
from backend.trust.domain_events import MembershipDecided
from backend.trust.models import AuditEntry, LetterCode, Membership, ProofOfAddress, Vouch

Action = AuditEntry.Action
State = Membership.State
Route = Membership.Route


def _audit(
    *, action: str, actor: User | None, membership: Membership, now: datetime, route: str = "", reason: str = ""
) -> None:
    """Writes the entry; the neighbourhood's moderators see it arrive in their log."""
    entry = AuditEntry.objects.create(
        at=now,
        actor=actor,
        action=action,
        route=route or "",
        membership=membership,
        neighbourhood_id=membership.neighbourhood_id,
        subject=membership.user,
        reason=reason,
    )
    events.tell_on_commit(
        selectors.moderator_ids(neighbourhood_id=membership.neighbourhood_id),
        {"type": "trust.logged", "entry": domain.audit_entry_body(entry)},
    )


def _notify(membership: Membership, decision: str, *, reason: str, now: datetime, actor: User | None = None) -> None:
    """She hears of the decision and its reason: live and by an urgent push (listeners)."""
    domain_events.emit(MembershipDecided(
        user_id=membership.user_id, language=membership.user.language, membership_id=membership.pk, neighbourhood_id=membership.neighbourhood_id,
        neighbourhood_name=membership.neighbourhood.name, decision=decision, reason=reason, at=now,
        actor_id=actor.pk if actor else None,
    ))


def _locked(membership: Membership) -> Membership:
    return Membership.objects.select_for_update(of=("self",)).select_related("neighbourhood", "user").get(pk=membership.pk)


def _require_moderator(actor: User, membership: Membership) -> None:
    """The neighbourhood's moderators and staff decide; nobody on her own membership."""
    if not selectors.may_moderate(user=actor, neighbourhood_id=membership.neighbourhood_id):
        raise VoisinsError("not_moderator")
    if membership.user_id == actor.pk:
        raise VoisinsError("self_decision")


def _transition(membership: Membership, target: str) -> None:
    refusal = domain.transition_refusal(current=membership.state, target=target)
    if refusal:
        raise VoisinsError(refusal)


def _delete_files_on_commit(proofs: list[ProofOfAddress]) -> None:
    names = [proof.file.name for proof in proofs if proof.file]
    for proof in proofs:
        proof.file = ""
        proof.save(update_fields=["file", "state", "reviewed_at", "reviewed_by", "reason"])
    storage = ProofOfAddress._meta.get_field("file").storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def _close_pending_proofs(membership: Membership, *, now: datetime) -> None:
    """Once an application is decided by any route, no proof of it is kept."""
    proofs = list(membership.proofs.select_for_update().filter(state=ProofOfAddress.State.PENDING))
    for proof in proofs:
        proof.state = ProofOfAddress.State.WITHDRAWN
        proof.reviewed_at = now
    _delete_files_on_commit(proofs)


def _decide(
    membership: Membership, *, state: str, actor: User | None, now: datetime, route: str | None = None, reason: str = ""
) -> None:
    _transition(membership, state)
    membership.state, membership.decided_at, membership.decided_by, membership.reason = state, now, actor, reason
    fields = ["state", "decided_at", "decided_by", "reason"]
    if route is not None:
        membership.route = route
        fields.append("route")
    membership.save(update_fields=fields)
    if state != State.REVOKED:
        _close_pending_proofs(membership, now=now)


def _member_event(membership: Membership, kind: str) -> None:
    """The neighbourhood's moderators see members join and leave, live."""
    frame = {"type": kind, "neighbourhood_id": membership.neighbourhood_id,
             "member": {"id": membership.user_id, "display_name": membership.user.display_name}}
    events.tell_on_commit(selectors.moderator_ids(neighbourhood_id=membership.neighbourhood_id), frame)


def _verify(*, membership: Membership, route: str, actor: User | None, now: datetime, reason: str = "") -> None:
    if membership.state != State.PENDING:
        raise VoisinsError("not_pending")
    if selectors.banned_here(user_id=membership.user_id, neighbourhood_id=membership.neighbourhood_id):
        raise VoisinsError("banned", neighbourhood=membership.neighbourhood.name)
    _decide(membership, state=State.VERIFIED, actor=actor, now=now, route=route, reason=reason)
    _audit(action=Action.VERIFY, actor=actor, membership=membership, route=route, reason=reason, now=now)
    _member_event(membership, "member.joined")
    _notify(membership, "verified", reason=reason, now=now)


def _leave(membership: Membership, *, actor: User | None, now: datetime) -> None:
    """She is no longer a verified member: her sockets leave the neighbourhood's rooms at
    once, its moderators see her go, and she loses its moderation unless she is staff."""
    _member_event(membership, "member.left")
    events.publish_on_commit(
        events.user_group(membership.user_id),
        control={"kind": "access.revoked", "neighbourhood_id": membership.neighbourhood_id},
    )
    user = membership.user
    if user.is_staff or not selectors.is_moderator(user=user, neighbourhood_id=membership.neighbourhood_id):
        return
    membership.neighbourhood.moderators.remove(user)
    _audit(action=Action.MODERATOR_REMOVED, actor=actor, membership=membership, now=now)
    _notify(membership, "moderator_removed", reason="", now=now)


def membership_apply(
    *, user: User, street: str, number: str, postcode: str, city: str, latitude: float, longitude: float
) -> Membership:
    neighbourhood = neighbourhood_at(latitude=latitude, longitude=longitude)
    if neighbourhood is None:
        raise VoisinsError("no_neighbourhood")
    refusal = domain.apply_refusal(
        banned_here=selectors.banned_here(user_id=user.pk, neighbourhood_id=neighbourhood.pk),
        has_open_membership=selectors.open_membership(user=user) is not None,
    )
    if refusal == "banned":
        raise VoisinsError(refusal, neighbourhood=neighbourhood.name)
    if refusal:
        raise VoisinsError(refusal)
    now = timezone.now()
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user,
                neighbourhood=neighbourhood,
                street=street.strip(),
                number=number.strip(),
                postcode=postcode.strip(),
                city=city.strip(),
                latitude=latitude,
                longitude=longitude,
                applied_at=now,
            )
            _audit(action=Action.APPLY, actor=user, membership=membership, now=now)
    except IntegrityError as exc:  # a second application racing the first
        raise VoisinsError("already_member") from exc
    return membership


def proof_upload(*, actor: User, membership: Membership, upload: UploadedFile) -> ProofOfAddress:
    if membership.user_id != actor.pk:
        raise VoisinsError("forbidden")
    max_bytes = settings.TRUST_PROOF_MAX_BYTES
    if upload.size > max_bytes:
        raise VoisinsError("file_too_large", max_mb=max_bytes // (1024 * 1024))
    head = upload.read(2048)
    upload.seek(0)
    content_type = domain.proof_content_type(head)
    refusal = domain.proof_refusal(size=upload.size, content_type=content_type, max_bytes=max_bytes)
    if refusal:
        raise VoisinsError(refusal)
    now = timezone.now()
    proof = ProofOfAddress(membership=membership, content_type=content_type, size=upload.size, uploaded_at=now)
    # A random name: the applicant's file name says nothing we want to keep.
    proof.file.save(uuid.uuid4().hex, upload, save=False)
    try:
        with transaction.atomic():
            membership = _locked(membership)
            if membership.state != State.PENDING:
                raise VoisinsError("not_pending")
            if membership.proofs.filter(state=ProofOfAddress.State.PENDING).exists():
                raise VoisinsError("proof_pending")
            proof.save()
            _audit(action=Action.PROOF_UPLOAD, actor=actor, membership=membership, route=Route.PROOF, now=now)
    except Exception:
        proof.file.storage.delete(proof.file.name)
        raise
    return proof


def proof_review(*, actor: User, proof: ProofOfAddress, approve: bool, reason: str = "") -> ProofOfAddress:
    now = timezone.now()
    with transaction.atomic():
        membership = _locked(proof.membership)
        _require_moderator(actor, membership)
        proof = ProofOfAddress.objects.select_for_update().get(pk=proof.pk)
        if proof.state != ProofOfAddress.State.PENDING:
            raise VoisinsError("proof_decided")
        if approve:
            _transition(membership, State.VERIFIED)
            proof.state, proof.reason = ProofOfAddress.State.APPROVED, reason.strip()
        else:
            proof.reason = require_reason(reason)
            proof.state = ProofOfAddress.State.REJECTED
        proof.reviewed_at, proof.reviewed_by = now, actor
        _delete_files_on_commit([proof])
        _audit(
            action=Action.APPROVE if approve else Action.REJECT,
            actor=actor,
            membership=membership,
            route=Route.PROOF,
            reason=proof.reason,
            now=now,
        )
        if approve:
            _verify(membership=membership, route=Route.PROOF, actor=actor, now=now, reason=proof.reason)
        else:
            _notify(membership, "proof_rejected", reason=proof.reason, now=now)
    return proof


def vouch_create(*, voucher: User, membership: Membership) -> Vouch:
    now = timezone.now()
    period = settings.TRUST_VOUCH_QUOTA_PERIOD
    with transaction.atomic():
        # Serialises the vouches of one voucher, so two at once cannot both pass the quota.
        User.objects.select_for_update().filter(pk=voucher.pk).first()
        membership = _locked(membership)
        voucher_open = selectors.open_membership(user=voucher)
        voucher_verified = voucher_open is not None and voucher_open.state == State.VERIFIED
        given = list(
            Vouch.objects.filter(voucher=voucher, created_at__gt=now - period)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        refusal = domain.vouch_refusal(
            is_self=membership.user_id == voucher.pk,
            voucher_verified_here=voucher_verified and voucher_open.neighbourhood_id == membership.neighbourhood_id,
            voucher_verified_elsewhere=voucher_verified,
            applicant_state=membership.state,
            already_vouched=Vouch.objects.filter(voucher=voucher, membership=membership).exists(),
            given_in_period=len(given),
            quota=settings.TRUST_VOUCH_QUOTA,
        )
        if refusal == "vouch_quota_exceeded":
            retry_after = domain.vouch_quota_retry_after(oldest_in_period=given[0], period=period, now=now)
            raise VoisinsError(refusal, quota=settings.TRUST_VOUCH_QUOTA, retry_after=retry_after)
        if refusal:
            raise VoisinsError(refusal)
        vouch = Vouch.objects.create(voucher=voucher, membership=membership, created_at=now)
        _audit(action=Action.VOUCH, actor=voucher, membership=membership, route=Route.VOUCH, now=now)
        if domain.vouched_enough(
            counting_vouches=selectors.counting_vouches(membership=membership), needed=settings.TRUST_VOUCHES_NEEDED
        ):
            _verify(membership=membership, route=Route.VOUCH, actor=voucher, now=now)
    return vouch


@dataclass(frozen=True)
class IssuedLetter:
    letter_code: LetterCode
    code: str
    text: str


def letter_code_issue(*, actor: User, membership: Membership) -> IssuedLetter:
    now = timezone.now()
    with transaction.atomic():
        membership = _locked(membership)
        _require_moderator(actor, membership)
        if membership.state != State.PENDING:
            raise VoisinsError("not_pending")
        membership.letter_codes.filter(replaced=False).update(replaced=True)
        code = domain.letter_code_generate()
        letter_code = LetterCode.objects.create(
            membership=membership,
            digest=domain.letter_code_digest(code, key=settings.SECRET_KEY),
            issued_by=actor,
            issued_at=now,
            expires_at=now + settings.TRUST_LETTER_CODE_TTL,
        )
        _audit(action=Action.CODE_ISSUED, actor=actor, membership=membership, route=Route.LETTER, now=now)
    applicant = membership.user
    with translation.override(applicant.language):
        expires_on = formats.date_format(timezone.localtime(letter_code.expires_at), "DATE_FORMAT")
    text = domain.letter_text(
        language=applicant.language,
        display_name=applicant.display_name,
        neighbourhood=membership.neighbourhood.name,
        address_lines=[
            applicant.display_name,
            f"{membership.number} {membership.street}",
            f"{membership.postcode} {membership.city}",
        ],
        code=code,
        expires_on=expires_on,
    )
    return IssuedLetter(letter_code=letter_code, code=domain.letter_code_format(code), text=text)


def letter_code_redeem(*, actor: User, membership: Membership, code: str) -> Membership:
    if membership.user_id != actor.pk:
        raise VoisinsError("forbidden")
    now = timezone.now()
    max_attempts = settings.TRUST_LETTER_CODE_MAX_ATTEMPTS
    # A wrong try must stay counted, so the transaction commits before we refuse.
    refusal: VoisinsError | None = None
    with transaction.atomic():
        membership = _locked(membership)
        letter_code = (
            membership.letter_codes.select_for_update().filter(replaced=False).order_by("-issued_at").first()
        )
        if letter_code is None:
            raise VoisinsError("no_code")
        blocked = domain.letter_code_refusal(
            now=now,
            expires_at=letter_code.expires_at,
            used=letter_code.used_at is not None,
            failed_attempts=letter_code.failed_attempts,
            max_attempts=max_attempts,
        )
        if blocked:
            raise VoisinsError(blocked)
        if membership.state != State.PENDING:
            raise VoisinsError("not_pending")
        if domain.letter_code_matches(code, digest=letter_code.digest, key=settings.SECRET_KEY):
            letter_code.used_at = now
            letter_code.save(update_fields=["used_at"])
            _audit(action=Action.CODE_USED, actor=actor, membership=membership, route=Route.LETTER, now=now)
            _verify(membership=membership, route=Route.LETTER, actor=actor, now=now)
        else:
            letter_code.failed_attempts += 1
            letter_code.save(update_fields=["failed_attempts"])
            _audit(action=Action.CODE_FAILED, actor=actor, membership=membership, route=Route.LETTER, now=now)
            attempts_left = max_attempts - letter_code.failed_attempts
            refusal = (
                VoisinsError("code_invalid", attempts_left=attempts_left)
                if attempts_left > 0
                else VoisinsError("code_locked")
            )
    if refusal is not None:
        raise refusal
    return membership


def membership_reject(*, actor: User, membership: Membership, reason: str) -> Membership:
    now = timezone.now()
    with transaction.atomic():
        membership = _locked(membership)
        _require_moderator(actor, membership)
        reason = require_reason(reason)
        _decide(membership, state=State.REJECTED, actor=actor, now=now, reason=reason)
        _audit(action=Action.REJECT, actor=actor, membership=membership, reason=reason, now=now)
        _notify(membership, "rejected", reason=reason, now=now)
    return membership


@dataclass(frozen=True)
class Revocation:
    membership: Membership
    # Those sent back to pending with him (revoked "with the chain").
    reverified: list[Membership]


def membership_revoke(
    *, actor: User, membership: Membership, reason: str, chain: bool = False, notify: bool = True
) -> Revocation:
    """Ends a verified membership. With `chain`, the members whose only way in was his
    vouch go back to pending, each told why and how to verify again. `notify` is False
    when moderation tells her itself (a ban)."""
    now = timezone.now()
    reason = require_reason(reason)
    with transaction.atomic():
        membership = _locked(membership)
        _require_moderator(actor, membership)
        _decide(membership, state=State.REVOKED, actor=actor, now=now, reason=reason)
        _audit(action=Action.REVOKE, actor=actor, membership=membership, reason=reason, now=now)
        _leave(membership, actor=actor, now=now)
        if notify:
            _notify(membership, "revoked", reason=reason, now=now, actor=actor)
        reverified = []
        if chain:
            for link in selectors.vouch_chain(membership=membership):
                if link["only_route"]:
                    reverified.append(_chain_reverify(link["membership_id"], actor=actor, reason=reason, now=now))
    return Revocation(membership=membership, reverified=reverified)


def _chain_reverify(membership_id: int, *, actor: User, reason: str, now: datetime) -> Membership:
    membership = _locked(Membership(pk=membership_id))
    _decide(membership, state=State.PENDING, actor=actor, now=now, reason=reason)
    membership.route = None  # she verifies again by any route
    membership.save(update_fields=["route"])
    _audit(action=Action.CHAIN_REVERIFY, actor=actor, membership=membership, reason=reason, now=now)
    _leave(membership, actor=actor, now=now)
    _notify(membership, "reverify", reason=reason, now=now)
    return membership


def membership_reinstate(*, actor: User, membership: Membership, reason: str, notify: bool = True) -> Membership:
    """Undoes a revocation or a ban: the moderators' explicit decision, or a granted
    appeal (moderation calls it then, with `notify` False: its notice tells her)."""
    now = timezone.now()
    reason = require_reason(reason)
    with transaction.atomic():
        membership = _locked(membership)
        _require_moderator(actor, membership)
        if membership.state != State.REVOKED:
            raise VoisinsError("not_revoked")
        if selectors.open_membership(user=membership.user) is not None:
            raise VoisinsError("already_member")
        _decide(membership, state=State.VERIFIED, actor=actor, now=now, reason=reason)
        _audit(action=Action.REINSTATE, actor=actor, membership=membership, reason=reason, now=now)
        _member_event(membership, "member.joined")
        if notify:
            _notify(membership, "reinstated", reason=reason, now=now)
    return membership


def membership_mute(*, membership: Membership, until: datetime | None) -> None:
    """Moderation mutes her in the neighbourhood until `until` (None lifts it); the
    decision and its reason are moderation's log."""
    Membership.objects.filter(pk=membership.pk).update(muted_until=until)


# Her data (issue 15)

ERASED_REASON = "Compte effacé · Account erased"


def account_erased(event: AccountErased) -> None:
    """Her part of trust when her account is erased (subscriber of AccountErased, in the
    erasing transaction): every address she gave is blanked, her proof files and letter
    codes go, her open application or membership ends (audited; those she vouched for
    stay verified: leaving is no misconduct), and she moderates nothing any more. The
    vouches and decisions stay, under her neutral label."""
    now = event.at
    memberships = list(
        Membership.objects.select_for_update(of=("self",)).select_related("neighbourhood", "user")
        .filter(user_id=event.user_id).order_by("pk")
    )
    for membership in memberships:
        if membership.state in (State.PENDING, State.VERIFIED):
            was_verified = membership.state == State.VERIFIED
            membership.state = State.REVOKED if was_verified else State.REJECTED
            membership.decided_at, membership.decided_by, membership.reason = now, None, ERASED_REASON
            membership.save(update_fields=["state", "decided_at", "decided_by", "reason"])
            _audit(action=Action.REVOKE if was_verified else Action.REJECT, actor=None, membership=membership,
                   reason=ERASED_REASON, now=now)
            if was_verified:
                _member_event(membership, "member.left")
        proofs = list(membership.proofs.select_for_update().exclude(file=""))
        for proof in proofs:
            if proof.state == ProofOfAddress.State.PENDING:
                proof.state, proof.reviewed_at = ProofOfAddress.State.WITHDRAWN, now
        _delete_files_on_commit(proofs)
        LetterCode.objects.filter(membership=membership).delete()
    Membership.objects.filter(user_id=event.user_id).update(**domain.ERASED_ADDRESS)
    User.objects.get(pk=event.user_id).moderated_neighbourhoods.clear()


def applications_prune(*, now: datetime, after_days: int) -> int:
    """The retention of applications (backend/trust/retention.py): an application
    pending for `after_days` is abandoned (rejected, audited, she is told) and its
    address erased; so is the address of an application rejected `after_days` ago, with
    its proof files. Returns the addresses erased."""
    cutoff = now - timedelta(days=after_days)
    erased = 0
    stale = Membership.objects.filter(state=State.PENDING, applied_at__lte=cutoff).values_list("pk", flat=True)
    for membership_id in stale:
        with transaction.atomic():
            membership = Membership.objects.select_for_update(of=("self",), skip_locked=True).select_related(
                "neighbourhood", "user").filter(pk=membership_id, state=State.PENDING).first()
            if membership is None:
                continue
            reason = domain.abandoned_reason(days=after_days)
            _decide(membership, state=State.REJECTED, actor=None, now=now, reason=reason)
            _audit(action=Action.REJECT, actor=None, membership=membership, reason=reason, now=now)
            _notify(membership, "rejected", reason=reason, now=now)
            Membership.objects.filter(pk=membership.pk).update(**domain.ERASED_ADDRESS)
            erased += 1
    rejected = Membership.objects.filter(state=State.REJECTED, decided_at__lte=cutoff).exclude(street="")
    for membership_id in rejected.values_list("pk", flat=True):
        with transaction.atomic():
            membership = Membership.objects.select_for_update(skip_locked=True).filter(pk=membership_id).first()
            if membership is None:
                continue
            _delete_files_on_commit(list(membership.proofs.select_for_update().exclude(file="")))
            Membership.objects.filter(pk=membership.pk).update(**domain.ERASED_ADDRESS)
            erased += 1
    return erased
