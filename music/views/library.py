from django.shortcuts import render

from music.forms import LibraryFilterForm
from music.services import library
from music.views.decorators import team_required


def without_page(query):
    params = query.copy()
    params.pop("page", None)
    return params.urlencode()


@team_required
def library_page(request):
    team = request.team
    members = list(library.members(team))
    form = LibraryFilterForm(request.GET or None, members=members)
    filters = form.cleaned_data if form.is_valid() else {}
    songs = library.search_songs(
        team,
        q=filters.get("q", ""),
        state=filters.get("state", ""),
        author=filters.get("author"),
        whole=filters.get("whole", False),
    )
    page = library.paginate(songs, request.GET.get("page"), library.SONGS_PER_PAGE)
    in_flight = library.tasks_without_songs(team) if page.number == 1 else []
    context = {
        "form": form,
        "page": page,
        "in_flight": in_flight,
        "live": bool(in_flight) or any(song.is_active for song in page),
        "filtering": any(filters.values()),
        "query_string": without_page(request.GET),
    }
    template = "music/partials/library_results.html" if request.htmx else "music/library.html"
    return render(request, template, context)
