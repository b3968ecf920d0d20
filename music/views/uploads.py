"""Bring your own audio: the upload page, and the signed link a provider fetches it from."""

from urllib.parse import unquote, urlsplit

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseGone
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_htmx.http import HttpResponseClientRedirect

from music.forms import UploadForm
from music.models import Action
from music.services import actions, capabilities, uploads
from music.services.accounts import team_accounts
from music.services.actions import ActionRefused
from music.services.tasks.starting import find_existing
from music.views.decorators import spender_required


@spender_required
def upload_audio(request):
    """A file (picked or dropped) or a link; then just upload it, or continue it too."""
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        team=request.team,
        accounts=team_accounts(request.team),
    )
    # With one account to choose from, say at once when it takes no uploads.
    refusal = "" if "account" in form.fields else upload_refusal(form.account)
    if request.method == "POST" and form.is_valid():
        try:
            start_upload(request.membership, form)
        except (ActionRefused, uploads.UploadRefused) as exc:
            refusal = exc.message
        else:
            messages.success(
                request,
                _("Uploading: your audio appears in the library when the provider has it."),
            )
            if request.htmx:
                return HttpResponseClientRedirect(reverse("music:library"))
            return redirect("music:library")
    # htmx swaps only 2xx answers: its refusal comes back as a 200 with the form.
    status = 409 if refusal and request.method == "POST" and not request.htmx else 200
    context = {"form": form, "refusal": refusal, "limits": form.limits}
    # The script sends the form with upload progress (htmx) and swaps in the form alone.
    template = "music/partials/upload_form.html" if request.htmx else "music/upload.html"
    return render(request, template, context, status=status)


def start_upload(membership, form):
    data = form.cleaned_data
    then = None
    if data["mode"] == "continue":
        then = {**form.words(), "continue_at": data["continue_at"]}
    # The same form posted twice: the first post's task, without keeping the file again.
    existing = find_existing(membership.team, form.request_key, None, Action.UPLOAD)
    if existing is not None:
        return existing
    stored = None
    try:
        # The file's row and its task commit together.
        with transaction.atomic():
            if data.get("audio_file"):
                stored = uploads.store(membership, data["audio_file"])
                url, title = "", uploads.title_from_name(stored.original_name)
            else:
                url = data["audio_url"]
                title = uploads.title_from_name(unquote(urlsplit(url).path))
            return actions.upload(
                membership,
                url,
                request_key=form.request_key,
                account=form.account,
                audio_file=stored,
                title=title,
                then=then,
            )
    except Exception:
        if stored is not None:
            stored.file.delete(save=False)  # storage is not transactional
        raise


def upload_refusal(account):
    return capabilities.account_refusal(account, capabilities.UPLOAD)


@require_safe
def upload_file(request, upload_id, token, name):
    """A member's uploaded file, for the provider: only with a valid, fresh signed link."""
    try:
        upload = uploads.upload_for_link(upload_id, token, name)
    except uploads.LinkExpired:
        return HttpResponseGone(_("This link has expired."), content_type="text/plain")
    if upload is None:
        raise Http404("No such file.")
    response = FileResponse(upload.file.open("rb"), content_type=upload.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
