"""Storing what the voice and side-file calls of issue #15 answered (MIDI, vox, persona v2,
voices), inside `side_results.apply_side_result`'s transaction, and what follows them."""

from django.core.files.base import ContentFile

from music.models import Action, Persona, PersonaKind
from music.services import midi

SIDE_ACTIONS = (Action.MIDI, Action.VOX, Action.PERSONA_VOX, Action.VOICE)


def apply(task, result):
    song = task.source_song
    if task.action == Action.MIDI:
        song.midi_file.save(
            "notes.mid", ContentFile(midi.midi_bytes(result.instruments)), save=False
        )
        song.save()
    elif task.action == Action.VOX:
        # The next step sends it (services.voices.follow_up); the task keeps it.
        task.params = {**task.params, "vox_audio_id": result.vox_id}
    else:
        save_persona(
            task,
            result.persona_id,
            kind=PersonaKind.VOX if task.action == Action.PERSONA_VOX else PersonaKind.VOICE,
            source_audio_id=task.params.get("vox_audio_id", ""),
            account=task.account,
        )


def save_persona(task, persona_id, **fields):
    """The persona the task made, once (a repeated answer finds it), named as asked."""
    Persona.objects.get_or_create(
        provider=task.provider,
        upstream_id=persona_id,
        defaults={
            "team": task.team,
            "name": task.params["name"],
            "description": task.params.get("description", ""),
            "source_song": task.source_song,
            "task": task,
            "created_by": task.created_by,
            **fields,
        },
    )


def follow_up(task):
    from music.services import voices

    voices.follow_up(task)
