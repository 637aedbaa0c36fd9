"""Every error a client can get: a stable machine-readable code, an HTTP status and
a message in English and French. Services raise `VoisinsError(code)`; the REST
exception handler (and later the WebSocket error frame) renders it."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from backend.common.busy import busy_refused, is_server_busy


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    en: str
    fr: str


ERRORS: dict[str, ErrorSpec] = {
    # Generic
    "validation_failed": ErrorSpec(400, "Some fields are invalid.", "Certains champs sont invalides."),
    "malformed_json": ErrorSpec(400, "The request body is not valid JSON.", "Le corps de la requête n'est pas du JSON valide."),
    "not_authenticated": ErrorSpec(401, "Authentication is required.", "Une authentification est requise."),
    "invalid_token": ErrorSpec(401, "This token is invalid or has expired.", "Ce jeton est invalide ou a expiré."),
    "forbidden": ErrorSpec(403, "You are not allowed to do this.", "Vous n'avez pas le droit de faire cela."),
    "not_found": ErrorSpec(404, "Not found.", "Introuvable."),
    "method_not_allowed": ErrorSpec(405, "This method is not allowed here.", "Cette méthode n'est pas permise ici."),
    "unsupported_media_type": ErrorSpec(415, "This content type is not supported.", "Ce type de contenu n'est pas pris en charge."),
    "rate_limited": ErrorSpec(429, "Too many requests; retry in {retry_after} s.", "Trop de requêtes ; réessayez dans {retry_after} s."),
    "server_error": ErrorSpec(500, "Something went wrong on our side.", "Une erreur est survenue de notre côté."),
    "server_busy": ErrorSpec(
        503, "The server is busy; retry in {retry_after} s.", "Le serveur est surchargé ; réessayez dans {retry_after} s."
    ),
    # Accounts
    "email_taken": ErrorSpec(409, "An account already uses this email address.", "Un compte utilise déjà cette adresse e-mail."),
    "weak_password": ErrorSpec(
        422, "This password is too easy to guess.", "Ce mot de passe est trop facile à deviner."
    ),
    "invalid_credentials": ErrorSpec(422, "Wrong email or password.", "Adresse e-mail ou mot de passe incorrect."),
    "login_throttled": ErrorSpec(
        429,
        "Too many failed logins; retry in {retry_after} s.",
        "Trop d'échecs de connexion ; réessayez dans {retry_after} s.",
    ),
    "wrong_password": ErrorSpec(403, "This is not your password.", "Ce n'est pas votre mot de passe."),
    # Your data (backend/privacy)
    "export_not_ready": ErrorSpec(
        409, "Your archive is still being prepared.", "Votre archive est encore en préparation."
    ),
    "export_expired": ErrorSpec(
        410, "This archive has expired; ask for a new one.", "Cette archive a expiré ; demandez-en une nouvelle."
    ),
    # Neighbourhoods and membership
    "no_neighbourhood": ErrorSpec(
        422, "No Voisins neighbourhood covers this address yet.", "Aucun quartier Voisins ne couvre encore cette adresse."
    ),
    "already_member": ErrorSpec(
        409, "You already have a pending or verified membership.", "Vous avez déjà une adhésion en attente ou vérifiée."
    ),
    "not_pending": ErrorSpec(409, "This application is no longer pending.", "Cette demande n'est plus en attente."),
    "not_verified": ErrorSpec(409, "This member is not verified.", "Ce membre n'est pas vérifié."),
    "not_revoked": ErrorSpec(409, "This membership is not revoked.", "Cette adhésion n'est pas révoquée."),
    "banned": ErrorSpec(
        403,
        "The moderators of {neighbourhood} removed you: vouches and letter codes cannot bring you back. "
        "Appeal their decision from your moderation decisions, or ask them to reinstate you.",
        "Les modérateurs de {neighbourhood} vous ont retiré·e : ni parrainage ni code courrier ne peuvent vous y "
        "ramener. Faites un recours depuis vos décisions de modération, ou demandez-leur de vous réintégrer.",
    ),
    "self_decision": ErrorSpec(
        403, "Nobody decides on her own membership.", "Personne ne décide de sa propre adhésion."
    ),
    "report_closed": ErrorSpec(409, "This report was already reviewed.", "Ce signalement a déjà été examiné."),
    "not_moderator": ErrorSpec(
        403, "Only the moderators of this neighbourhood can do this.", "Seuls les modérateurs de ce quartier peuvent faire cela."
    ),
    "not_member": ErrorSpec(
        403, "Only verified members of this neighbourhood can do this.", "Seuls les membres vérifiés de ce quartier peuvent faire cela."
    ),
    # Proof of address
    "file_missing": ErrorSpec(400, "Attach the document as the field 'file'.", "Joignez le document dans le champ « file »."),
    "file_too_large": ErrorSpec(
        413, "The document is larger than {max_mb} MB.", "Le document dépasse {max_mb} Mo."
    ),
    "file_type_not_allowed": ErrorSpec(
        415, "The document must be a PDF, JPEG or PNG file.", "Le document doit être un fichier PDF, JPEG ou PNG."
    ),
    "proof_pending": ErrorSpec(
        409, "A proof is already waiting for review.", "Un justificatif attend déjà d'être examiné."
    ),
    "proof_decided": ErrorSpec(409, "This proof has already been reviewed.", "Ce justificatif a déjà été examiné."),
    "proof_file_deleted": ErrorSpec(
        410, "This document was deleted once reviewed.", "Ce document a été supprimé après examen."
    ),
    "reason_required": ErrorSpec(422, "A reason is required.", "Un motif est obligatoire."),
    # Cooptation
    "self_vouch": ErrorSpec(403, "You cannot vouch for yourself.", "Vous ne pouvez pas vous parrainer vous-même."),
    "other_neighbourhood": ErrorSpec(
        403, "This applicant lives in another neighbourhood.", "Cette personne habite un autre quartier."
    ),
    "already_vouched": ErrorSpec(409, "You already vouched for this applicant.", "Vous avez déjà parrainé cette personne."),
    "vouch_quota_exceeded": ErrorSpec(
        429,
        "You may vouch for {quota} neighbours per 30 days; retry in {retry_after} s.",
        "Vous pouvez parrainer {quota} voisins par période de 30 jours ; réessayez dans {retry_after} s.",
    ),
    # Letter code
    "no_code": ErrorSpec(404, "No letter code was issued for this application.", "Aucun code courrier n'a été émis pour cette demande."),
    "code_invalid": ErrorSpec(
        422, "Wrong code; {attempts_left} attempt(s) left.", "Code incorrect ; il reste {attempts_left} essai(s)."
    ),
    "code_expired": ErrorSpec(410, "This code has expired; ask a moderator for a new letter.", "Ce code a expiré ; demandez un nouveau courrier à un modérateur."),
    "code_locked": ErrorSpec(
        423, "Too many wrong codes; ask a moderator for a new letter.", "Trop de codes erronés ; demandez un nouveau courrier à un modérateur."
    ),
    "code_used": ErrorSpec(409, "This code has already been used.", "Ce code a déjà été utilisé."),
    # Chat
    "frame_too_large": ErrorSpec(413, "This frame is larger than 64 KB.", "Cette trame dépasse 64 Ko."),
    "unknown_type": ErrorSpec(400, "Unknown frame type.", "Type de trame inconnu."),
    "invalid_frame": ErrorSpec(400, "This frame does not match its schema.", "Cette trame ne respecte pas son schéma."),
    "room_not_found": ErrorSpec(404, "No such room.", "Ce salon n'existe pas."),
    "no_access": ErrorSpec(403, "You cannot read this room.", "Vous n'avez pas accès à ce salon."),
    "not_subscribed": ErrorSpec(409, "Subscribe to the room first.", "Abonnez-vous d'abord au salon."),
    "seq_out_of_range": ErrorSpec(
        422, "This room has nothing after seq {last_seq}.", "Ce salon n'a rien après le numéro {last_seq}."
    ),
    "read_backwards": ErrorSpec(
        409, "You have already read up to seq {read_seq}; a read marker never moves back.",
        "Vous avez déjà lu jusqu'au numéro {read_seq} ; un marqueur de lecture ne recule jamais.",
    ),
    "message_not_found": ErrorSpec(404, "No such message in your rooms.", "Ce message n'existe pas dans vos salons."),
    "not_author": ErrorSpec(403, "Only its author can change this message.", "Seul son auteur peut modifier ce message."),
    "message_deleted": ErrorSpec(409, "This message was deleted.", "Ce message a été supprimé."),
    "text_blank": ErrorSpec(422, "The text is empty.", "Le texte est vide."),
    "invalid_reply": ErrorSpec(422, "You can only reply to a message of the same room.", "On ne répond qu'à un message du même salon."),
    "invalid_mention": ErrorSpec(
        422, "Mentions must name people who can read the room.", "Les mentions doivent désigner des personnes ayant accès au salon."
    ),
    "direct_with_self": ErrorSpec(422, "A conversation needs someone else.", "Une conversation se fait avec quelqu'un d'autre."),
    "room_name_taken": ErrorSpec(409, "A room already has this name.", "Un salon porte déjà ce nom."),
    "ticket_invalid": ErrorSpec(401, "This ticket is invalid, used or expired.", "Ce ticket est invalide, déjà utilisé ou expiré."),
    # Feed
    "post_not_found": ErrorSpec(404, "No such post in your neighbourhood.", "Cette annonce n'existe pas dans votre quartier."),
    "invalid_post_details": ErrorSpec(
        422, "The field {field} does not fit this kind of post.", "Le champ {field} ne convient pas à ce type d'annonce."
    ),
    "title_blank": ErrorSpec(422, "The title is empty.", "Le titre est vide."),
    "end_before_start": ErrorSpec(422, "The end must come after the start.", "La fin doit venir après le début."),
    "in_the_past": ErrorSpec(422, "The field {field} is in the past.", "Le champ {field} est dans le passé."),
    "expiry_too_far": ErrorSpec(
        422, "A post lasts at most 90 days.", "Une annonce dure au plus 90 jours."
    ),
    "price_required": ErrorSpec(422, "A sale needs a price.", "Une vente a besoin d'un prix."),
    "price_not_for_gifts": ErrorSpec(422, "A gift has no price.", "Un don n'a pas de prix."),
    "max_below_min": ErrorSpec(
        422, "The maximum quantity is below the minimum.", "La quantité maximale est inférieure au minimum."
    ),
    "not_post_author": ErrorSpec(
        403, "Only its author or a moderator can change this post.", "Seuls son auteur ou un modérateur peuvent modifier cette annonce."
    ),
    "invalid_status_change": ErrorSpec(
        409, "A post cannot go from {current} to {target}.", "Une annonce ne peut pas passer de {current} à {target}."
    ),
    "choose_a_responder": ErrorSpec(
        409, "A post is taken by choosing one of its responders.", "Une annonce est prise en choisissant l'une des personnes qui ont répondu."
    ),
    "own_post": ErrorSpec(409, "You cannot answer your own post.", "Vous ne pouvez pas répondre à votre propre annonce."),
    "not_answerable": ErrorSpec(
        409, "This kind of post is not answered this way.", "On ne répond pas ainsi à ce type d'annonce."
    ),
    "post_not_open": ErrorSpec(409, "This post is no longer open.", "Cette annonce n'est plus ouverte."),
    "not_a_responder": ErrorSpec(
        422, "This person has not answered the post.", "Cette personne n'a pas répondu à l'annonce."
    ),
    "not_an_event": ErrorSpec(409, "Only events take RSVPs.", "Seuls les événements acceptent des participations."),
    "not_a_loan": ErrorSpec(404, "No such loan of yours.", "Ce prêt n'existe pas parmi les vôtres."),
    "not_lender": ErrorSpec(403, "Only the lender confirms the return.", "Seul le prêteur confirme le retour."),
    "already_returned": ErrorSpec(409, "This loan was already returned.", "Ce prêt a déjà été rendu."),
    "not_a_purchase": ErrorSpec(409, "This post is not a group purchase.", "Cette annonce n'est pas un achat groupé."),
    "deadline_passed": ErrorSpec(409, "The deadline of this purchase has passed.", "La date limite de cet achat est passée."),
    "over_maximum": ErrorSpec(
        409, "Only {remaining} more can be committed.", "Il ne reste que {remaining} à réserver."
    ),
    "invalid_quantity": ErrorSpec(422, "A quantity is zero or more.", "Une quantité est positive ou nulle."),
    "not_organiser": ErrorSpec(403, "Only the organiser does this.", "Seul l'organisateur ou l'organisatrice fait cela."),
    "no_commitment": ErrorSpec(422, "This person has committed nothing.", "Cette personne n'a rien réservé."),
    "loan_not_returned": ErrorSpec(
        409,
        "This loan is not returned yet: its lender confirms the return, which marks the post done.",
        "Ce prêt n'est pas encore rendu : son prêteur confirme le retour, ce qui termine l'annonce.",
    ),
    "post_has_partners": ErrorSpec(
        409, "Neighbours still count on this post (a loan not returned yet, or an open group purchase with their "
        "shares): it can be deleted once the loan is returned or the purchase closed.",
        "Des voisins comptent encore sur cette annonce (un prêt pas encore rendu, ou un achat groupé ouvert avec "
        "leurs parts) : elle pourra être supprimée une fois le prêt rendu ou l'achat clos.",
    ),
    "invalid_bbox": ErrorSpec(
        422, "The box is west,south,east,north with west < east and south < north.",
        "La zone s'écrit ouest,sud,est,nord avec ouest < est et sud < nord."
    ),
    "bbox_too_large": ErrorSpec(422, "This box is too large; zoom in.", "Cette zone est trop grande ; zoomez."),
    # Moderation
    "muted": ErrorSpec(
        403, "A moderator muted you in this neighbourhood until {until}.",
        "Un modérateur vous a mis en sourdine dans ce quartier jusqu'au {until}.",
    ),
    "report_one_thing": ErrorSpec(
        422, "Report one message, one post or one member.", "Signalez un message, une annonce ou un membre, un seul."
    ),
    "report_own": ErrorSpec(422, "You cannot report yourself.", "Vous ne pouvez pas vous signaler vous-même."),
    "already_removed": ErrorSpec(409, "This is already removed or deleted.", "C'est déjà retiré ou supprimé."),
    "not_removed": ErrorSpec(409, "This is neither removed nor hidden.", "Ce n'est ni retiré ni masqué."),
    "cannot_moderate_staff": ErrorSpec(403, "Staff cannot be muted or banned.", "L'équipe ne peut être ni mise en sourdine ni bannie."),
    "invalid_duration": ErrorSpec(
        422, "A mute lasts from 5 minutes to 90 days.", "Une mise en sourdine dure de 5 minutes à 90 jours."
    ),
    "not_appealable": ErrorSpec(409, "This decision cannot be appealed.", "Cette décision ne peut pas faire l'objet d'un recours."),
    "already_appealed": ErrorSpec(409, "You already appealed this decision.", "Vous avez déjà contesté cette décision."),
    "own_action": ErrorSpec(
        403, "Another moderator or staff decides on an appeal of your action.",
        "Un autre modérateur ou l'équipe statue sur le recours contre votre décision.",
    ),
    "appeal_decided": ErrorSpec(409, "This appeal is already decided.", "Ce recours est déjà tranché."),
    # Photos
    "image_missing": ErrorSpec(400, "Attach the image as the field 'file'.", "Joignez l'image dans le champ « file »."),
    "image_too_large": ErrorSpec(413, "The image is larger than {max_mb} MB.", "L'image dépasse {max_mb} Mo."),
    "image_type_not_allowed": ErrorSpec(
        415, "The image must be a JPEG, PNG, WebP or HEIC file.", "L'image doit être un fichier JPEG, PNG, WebP ou HEIC."
    ),
    "image_unreadable": ErrorSpec(
        422, "This image is damaged or incomplete.", "Cette image est endommagée ou incomplète."
    ),
    "image_too_many_pixels": ErrorSpec(
        413, "The image has more than {max_megapixels} megapixels.", "L'image dépasse {max_megapixels} mégapixels."
    ),
    "too_many_images": ErrorSpec(422, "At most {max} images here.", "Au plus {max} images ici."),
    "image_not_found": ErrorSpec(404, "No such image.", "Cette image n'existe pas."),
    "image_already_attached": ErrorSpec(
        409, "This image is already attached elsewhere.", "Cette image est déjà jointe ailleurs."
    ),
    "image_link_invalid": ErrorSpec(403, "This image link is invalid.", "Ce lien d'image n'est pas valide."),
    "image_link_expired": ErrorSpec(
        410, "This image link has expired; reload to get a new one.", "Ce lien d'image a expiré ; rechargez pour en obtenir un nouveau."
    ),
    # Cities: organisations, their publications, civic reports
    "not_agent": ErrorSpec(403, "Only agents of this organisation can do this.",
                           "Seuls les agents de cette organisation peuvent faire cela."),
    "not_organisation_admin": ErrorSpec(403, "Only administrators of this organisation can do this.",
                                        "Seuls les administrateurs de cette organisation peuvent faire cela."),
    "organisation_not_verified": ErrorSpec(403, "This organisation is not verified yet.",
                                           "Cette organisation n'est pas encore vérifiée."),
    "no_account": ErrorSpec(404, "No account uses this email address.", "Aucun compte n'utilise cette adresse e-mail."),
    "already_agent": ErrorSpec(409, "This person already acts for the organisation.",
                               "Cette personne agit déjà pour l'organisation."),
    "agent_not_found": ErrorSpec(404, "No such agent in your organisation.", "Cet agent n'existe pas dans votre organisation."),
    "last_admin": ErrorSpec(409, "An organisation keeps at least one administrator.",
                            "Une organisation garde au moins un administrateur."),
    "outside_organisation_area": ErrorSpec(403, "These neighbourhoods are not in your organisation's area.",
                                           "Ces quartiers ne sont pas dans le territoire de votre organisation."),
    "alert_too_long": ErrorSpec(422, "An alert lasts at most 72 hours.", "Une alerte dure au plus 72 heures."),
    "alert_limit_reached": ErrorSpec(
        429, "Your organisation may send {limit} alerts per 24 hours; retry in {retry_after} s.",
        "Votre organisation peut envoyer {limit} alertes par 24 heures ; réessayez dans {retry_after} s.",
    ),
    "announcement_not_found": ErrorSpec(404, "No such announcement of your organisation.",
                                        "Cette annonce officielle n'existe pas dans votre organisation."),
    "consultation_too_long": ErrorSpec(422, "A consultation lasts at most 90 days.", "Une consultation dure au plus 90 jours."),
    "invalid_choices": ErrorSpec(
        422, "A question with choices has 2 to {max} distinct choices; a free question has none.",
        "Une question à choix a de 2 à {max} choix distincts ; une question libre n'en a pas.",
    ),
    "consultation_not_found": ErrorSpec(404, "No such consultation.", "Cette consultation n'existe pas."),
    "consultation_closed": ErrorSpec(409, "This consultation is closed.", "Cette consultation est close."),
    "already_answered": ErrorSpec(409, "You already answered this consultation.", "Vous avez déjà répondu à cette consultation."),
    "invalid_answer": ErrorSpec(
        422, "Answer with one of the choices, or a text of at most 500 characters for a free question.",
        "Répondez par l'un des choix, ou par un texte de 500 caractères au plus pour une question libre.",
    ),
    "position_outside_neighbourhood": ErrorSpec(
        422, "Place the problem inside your neighbourhood.", "Placez le problème dans votre quartier."
    ),
    "unknown_category": ErrorSpec(422, "Unknown category here.", "Catégorie inconnue ici."),
    "similar_reports": ErrorSpec(
        409, "Neighbours already reported this nearby: support their report, or report anyway.",
        "Des voisins ont déjà signalé cela tout près : soutenez leur signalement, ou signalez quand même.",
    ),
    "city_report_not_found": ErrorSpec(404, "No such report.", "Ce signalement n'existe pas."),
    "invalid_report_transition": ErrorSpec(
        409, "A report cannot go from {current} to {target}.", "Un signalement ne peut pas passer de {current} à {target}."
    ),
    "invalid_duplicate": ErrorSpec(
        422, "Name another open or resolved report of your organisation as the original.",
        "Indiquez comme original un autre signalement ouvert ou résolu de votre organisation.",
    ),
    "not_reporter": ErrorSpec(403, "Only the person who reported it can do this.",
                              "Seule la personne qui l'a signalé peut faire cela."),
    "reopen_too_late": ErrorSpec(
        409, "A resolved report can be reopened within 14 days; report it again.",
        "Un signalement résolu se rouvre sous 14 jours ; signalez-le à nouveau.",
    ),
    "own_report": ErrorSpec(409, "You reported it: you already follow it.", "Vous l'avez signalé : vous le suivez déjà."),
    "report_not_open": ErrorSpec(409, "This report is no longer open.", "Ce signalement n'est plus ouvert."),
    # Push
    "invalid_time_zone": ErrorSpec(422, "Unknown time zone.", "Fuseau horaire inconnu."),
    "quiet_hours_incomplete": ErrorSpec(
        422, "Quiet hours need both a start and an end.", "Les heures calmes ont un début et une fin."
    ),
}


class VoisinsError(Exception):
    """A refusal with a code from ERRORS; `params` fill the message and travel in the body."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in ERRORS:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def status(self) -> int:
        return ERRORS[self.code].status


def require_reason(reason: str) -> str:
    """Trust and moderation decisions say why (it goes to their logs): the reason, stripped."""
    reason = (reason or "").strip()
    if not reason:
        raise VoisinsError("reason_required")
    return reason


def error_message(code: str, language: str, **params: Any) -> str:
    spec = ERRORS[code]
    template = spec.fr if language == "fr" else spec.en
    return template.format(**params) if params else template


def error_body(code: str, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": error_message(code, translation.get_language() or "en", **params)}
    body.update(params)
    return body


_DRF_CODES = {
    drf_exceptions.ParseError: "malformed_json",
    drf_exceptions.NotAuthenticated: "not_authenticated",
    drf_exceptions.AuthenticationFailed: "invalid_token",
    drf_exceptions.PermissionDenied: "forbidden",
    drf_exceptions.NotFound: "not_found",
    drf_exceptions.MethodNotAllowed: "method_not_allowed",
    drf_exceptions.UnsupportedMediaType: "unsupported_media_type",
}


def _field_errors(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _field_errors(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_field_errors(item) for item in detail]
    return {"code": getattr(detail, "code", "invalid"), "message": str(detail)}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, VoisinsError):
        body, status = error_body(exc.code, **exc.params), exc.status
        if "retry_after" in exc.params:
            headers["Retry-After"] = str(exc.params["retry_after"])
    elif isinstance(exc, drf_exceptions.ValidationError):
        body, status = error_body("validation_failed"), 400
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body["fields"] = _field_errors(detail)
    elif isinstance(exc, drf_exceptions.Throttled):
        retry_after = int(exc.wait or 1)
        body, status = error_body("rate_limited", retry_after=retry_after), 429
        headers["Retry-After"] = str(retry_after)
    elif isinstance(exc, drf_exceptions.APIException):
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "server_error")
        body, status = error_body(code), exc.status_code
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
    elif isinstance(exc, Http404):
        body, status = error_body("not_found"), 404
    elif isinstance(exc, DjangoPermissionDenied):
        body, status = error_body("forbidden"), 403
    elif is_server_busy(exc):
        retry_after = busy_refused()
        body, status = error_body("server_busy", retry_after=retry_after), 503
        headers["Retry-After"] = str(retry_after)
    else:
        return None  # unexpected: backend.ops.middleware answers server_error
    return Response(body, status=status, headers=headers)
