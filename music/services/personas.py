"""Personas at the provider: the personas page reads the key's list (SunoHub's `GET
/suno/persona`) and deleting one here deletes it there (`DELETE /suno/persona`).

A team's own account lists only the team's personas, so ones the studio does not know yet
(made on the provider's site, or before the studio kept them) are brought in, attached to
the team's song their voice came from when there is one. The operator's built-in key is
shared by every team: its listing only tells which of this team's personas are gone, and
nothing is brought in from it. A persona deleted at the provider stays listed, marked, so
the songs it sang keep their story; it can no longer sing.
"""

import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from music import upstream
from music.models import Persona, PersonaKind, Song
from music.services import capabilities
from music.services.accounts import team_accounts
from music.upstream.base import UpstreamError

log = logging.getLogger(__name__)
LIST_TIMEOUT = 10.0  # seconds: the page waits this long for a provider's list at most


class NotDeleted(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Sync:
    imported: int = 0
    gone: int = 0
    problems: list = field(default_factory=list)  # (account name, reason) per failed listing


def of_account(team, account):
    """The team's personas whose voice the account keeps."""
    mine = Persona.objects.filter(team=team)
    if account is None:
        return mine.filter(account__isnull=True).filter(
            Q(source_song__isnull=True) | Q(source_song__account__isnull=True)
        )
    return mine.filter(Q(account=account) | Q(account__isnull=True, source_song__account=account))


def listed_accounts(team):
    """The accounts whose personas are read: the team's own that keep a list, and the
    built-in provider when a persona of the team lives there."""
    accounts = [a for a in team_accounts(team) if capabilities.keeps_persona_list(a)]
    if of_account(team, None).exists():
        accounts.append(None)
    return accounts


def sync(team):
    """Bring in the provider's personas the team does not know; mark those gone there."""
    done = Sync()
    for account in listed_accounts(team):
        try:
            found = upstream.get_provider(account, timeout=LIST_TIMEOUT).personas()
        except UpstreamError as exc:
            name = account.name if account else _("Built-in provider")
            done.problems.append((name, exc.message))
            continue
        there = {p.persona_id: p for p in found}
        known = of_account(team, account)
        done.gone += (
            known.filter(gone_upstream_at__isnull=True)
            .exclude(upstream_id__in=there)
            .update(gone_upstream_at=timezone.now())
        )
        known.filter(gone_upstream_at__isnull=False, upstream_id__in=there).update(
            gone_upstream_at=None
        )
        if account is not None:
            done.imported += bring_in(team, account, there)
    return done


def bring_in(team, account, there):
    provider = upstream.provider_name(account)
    taken = set(
        Persona.objects.filter(provider=provider, upstream_id__in=there).values_list(
            "upstream_id", flat=True
        )
    )
    songs = {
        s.upstream_id: s
        for s in Song.objects.filter(
            team=team, account=account, upstream_id__in=[p.audio_id for p in there.values()]
        )
    }
    count = 0
    for persona_id, found in there.items():
        if persona_id in taken:
            continue
        song = songs.get(found.audio_id) if found.kind == PersonaKind.PERSONA else None
        try:
            with transaction.atomic():
                Persona.objects.create(
                    team=team,
                    provider=provider,
                    upstream_id=persona_id,
                    name=found.name or _("Persona"),
                    description=found.description,
                    kind=found.kind,
                    source_song=song,
                    source_audio_id=found.audio_id,
                    account=account,
                )
        except IntegrityError:
            continue  # another page load brought it in a moment ago
        count += 1
    return count


def delete(persona):
    """Delete a persona here and, where the format can, at the provider. Returns whether
    the provider was told; raises NotDeleted (nothing changed) when it refused."""
    account = persona.voice_account
    told = capabilities.keeps_persona_list(account) and persona.gone_upstream_at is None
    if told:
        try:
            upstream.get_provider(account).delete_persona(persona.upstream_id)
        except UpstreamError as exc:
            if exc.status != 404:  # 404: already gone there, which is what was asked
                raise NotDeleted(exc.message) from exc
    persona.delete()
    return told
