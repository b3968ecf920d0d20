import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from music.forms import ProviderAccountForm
from music.models import (
    AudioUpload,
    LyricTiming,
    Membership,
    Persona,
    ProviderAccount,
    ShareLink,
    Song,
    Task,
    TaskEvent,
    Team,
)
from music.services import accounts


def pretty_json(value):
    return format_html(
        '<pre style="white-space:pre-wrap;max-height:30em;overflow:auto">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False),
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "default_model", "pro_pool", "created_at"]
    list_filter = ["pro_pool", "default_model"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "joined_at"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "user__email", "team__name"]
    autocomplete_fields = ["user", "team"]
    list_select_related = ["user", "team"]


class TaskEventInline(admin.TabularInline):
    model = TaskEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "state", "code", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    inlines = [TaskEventInline]
    list_display = [
        "id",
        "action",
        "state",
        "team",
        "created_by",
        "progress",
        "created_at",
        "error_message",
    ]
    list_filter = ["state", "action", "provider", "team"]
    search_fields = ["id", "upstream_id", "error_message", "created_by__username"]
    list_select_related = ["team", "created_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "id",
        "upstream_id",
        "request_pretty",
        "response_pretty",
        "params_pretty",
        "submit_attempts",
        "polls",
        "submitted_at",
        "finished_at",
        "late_until",
        "callback_at",
        "created_at",
        "updated_at",
        "callback_token_hash",
    ]
    exclude = ["params", "request_payload", "response"]
    raw_id_fields = ["source_song"]

    @admin.display(description=_("parameters"))
    def params_pretty(self, obj):
        return pretty_json(obj.params)

    @admin.display(description=_("request sent"))
    def request_pretty(self, obj):
        return pretty_json(obj.request_payload)

    @admin.display(description=_("last upstream answer"))
    def response_pretty(self, obj):
        return pretty_json(obj.response)


@admin.register(Song)
class SongAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "state",
        "team",
        "author",
        "relation",
        "model_name",
        "duration",
        "created_at",
    ]
    list_filter = ["state", "relation", "is_fragment", "team", "model_name"]
    search_fields = ["title", "lyric", "style", "upstream_id", "author__username"]
    list_select_related = ["team", "author"]
    date_hierarchy = "created_at"
    raw_id_fields = ["task", "parent"]
    readonly_fields = ["id", "upstream_id", "raw_pretty", "created_at", "updated_at"]
    exclude = ["raw"]

    @admin.display(description=_("upstream clip"))
    def raw_pretty(self, obj):
        return pretty_json(obj.raw)


class ProviderAccountAdminForm(ProviderAccountForm):
    """The studio's account form (same checks, write-only key), plus the team."""

    class Meta(ProviderAccountForm.Meta):
        fields = ["team", *ProviderAccountForm.Meta.fields]


@admin.register(ProviderAccount)
class ProviderAccountAdmin(admin.ModelAdmin):
    form = ProviderAccountAdminForm
    list_display = ["name", "team", "format", "base_url", "masked_key", "pro_pool", "is_default"]
    list_filter = ["format", "pro_pool", "is_default", "team"]
    search_fields = ["name", "base_url", "team__name"]
    list_select_related = ["team"]
    readonly_fields = ["masked_key", "created_at"]

    @admin.display(description=_("API key"))
    def masked_key(self, obj):
        return obj.masked_key or "—"

    def save_model(self, request, obj, form, change):
        accounts.save(obj)  # one default per team, as in the studio


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "kind", "source_song", "gone_upstream_at", "created_at"]
    list_filter = ["team", "kind"]
    search_fields = ["name", "description", "upstream_id"]
    list_select_related = ["team", "source_song", "created_by"]
    raw_id_fields = ["source_song", "task", "account"]


@admin.register(LyricTiming)
class LyricTimingAdmin(admin.ModelAdmin):
    list_display = ["song", "fetched_at"]
    raw_id_fields = ["song"]
    readonly_fields = ["words", "waveform"]


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["song", "team", "created_by", "created_at", "expires_at", "revoked_at"]
    list_filter = ["team"]
    raw_id_fields = ["song", "team", "created_by", "revoked_by"]
    # The token is the link's key: an admin turns a link off, never reads or edits its key.
    exclude = ["token"]
    readonly_fields = ["created_at"]


@admin.register(AudioUpload)
class AudioUploadAdmin(admin.ModelAdmin):
    """Members' own files: looked at, never edited (what was checked is what is sent)."""

    list_display = [
        "original_name",
        "team",
        "uploaded_by",
        "content_type",
        "duration",
        "created_at",
    ]
    list_filter = ["team", "content_type"]
    search_fields = ["original_name"]
    list_select_related = ["team", "uploaded_by"]
    readonly_fields = [f.name for f in AudioUpload._meta.fields]

    def has_add_permission(self, request):
        return False
