from types import SimpleNamespace

from django.shortcuts import render
from django.utils import timezone, translation

from music.forms import LibraryFilterForm
from music.services import library, retry
from music.services.remembered import remembered
from music.views import cards, live
from music.views.decorators import team_required


def without_page(query):
    params = query.copy()
    params.pop("page", None)
    params.pop(live.STAMP, None)
    return params.urlencode()


def requested_author(request):
    """The author asked for, as the filter form's only choice: an htmx refresh does not list
    the team's members (its partial shows no filter form); the songs are the team's anyway."""
    try:
        author = int(request.GET.get("author", ""))
    except ValueError:
        return []
    return [SimpleNamespace(user_id=author, user=SimpleNamespace(get_username=str))]


@live.refreshable
@team_required
def library_page(request):
    team = request.team
    activity = library.team_activity(team)  # before the songs: a later change is seen later
    members = requested_author(request) if request.htmx else list(library.members(team))
    form = LibraryFilterForm(request.GET or None, members=members)
    filters = form.cleaned_data if form.is_valid() else {}
    favourites_only = filters.get("fav", False)
    songs = library.search_songs(
        team,
        q=filters.get("q", ""),
        state=filters.get("state", ""),
        author=filters.get("author"),
        whole=filters.get("whole", False),
        # Only "My favourites" needs the reader's stars in the query: other pages are the
        # team's, remembered per team version, and their stars are asked apart.
        user=request.user if favourites_only else None,
        favourites=favourites_only,
    )
    filtering = any(filters.values())
    asked = tuple((name, str(value)) for name, value in sorted(filters.items()) if value)
    count = activity.library_songs if not filtering else None
    if count is None and not favourites_only:
        count = remembered(team.pk, activity.version, ("count", asked), songs.count)
    page = library.paginate(songs, request.GET.get("page"), library.SONGS_PER_PAGE, count=count)
    can_retry = request.membership.can_spend
    if favourites_only:
        timeless = cards.timeless_cards(page.object_list, can_retry)
        favourites = frozenset(built.id for built, _ in timeless)
    else:
        # Cards speak the reader's language and time zone: both are part of the key.
        key = ("cards", translation.get_language(), timezone.get_current_timezone_name())
        timeless = remembered(
            team.pk,
            activity.version,
            (*key, can_retry, asked, page.number),
            lambda: cards.timeless_cards(page.object_list, can_retry),
        )
        favourites = library.favourite_ids(request.user, [built.id for built, _ in timeless])
    in_flight = (
        remembered(
            team.pk, activity.version, ("in_flight",), lambda: library.tasks_without_songs(team)
        )
        if page.number == 1
        else []
    )
    failures = failure_cards(request, page, filters, activity)
    live_now = bool(in_flight) or any(built.active for built, _ in timeless)
    query_string = without_page(request.GET)
    params = [
        (k, v) for k, values in request.GET.lists() if k not in ("page", live.STAMP) for v in values
    ]
    if page.number > 1:
        params.append(("page", page.number))
    context = {
        "filter_fields": "" if request.htmx else cards.filter_form(members, request.GET),
        "page": page,
        "cards": cards.reader_cards(timeless, favourites),
        "in_flight": in_flight,
        "failures": failures,
        "live": live_now,
        "refresh_url": live.refresh_url(request, activity.version, request.path, params)
        if live_now
        else "",
        "refresh_seconds": live.REFRESH_SECONDS,
        "filtering": filtering,
        "query_string": query_string,
    }
    template = "music/partials/library_results.html" if request.htmx else "music/library.html"
    return render(request, template, context)


def failure_cards(request, page, filters, activity):
    """Failed jobs that made no song, as cards on the first page (with their reason and
    “Try again”): the recent ones, or more under the "Failed" filter."""
    state = filters.get("state", "")
    if page.number != 1 or filters.get("q") or filters.get("whole") or state not in ("", "failed"):
        return []
    author = filters.get("author")
    # Recent failures are those of the last days: an hour's lateness in dropping one is fine.
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    tasks = remembered(
        request.team.pk,
        activity.version,
        ("failures", state, author, hour),
        lambda: library.failed_without_songs(
            request.team, filtered=state == "failed", author=author
        ),
    )
    can_spend = request.membership.can_spend
    return [(task, retry.retry_url(task) if can_spend else "") for task in tasks]
