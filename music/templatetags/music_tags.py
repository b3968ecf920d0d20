from django import template

register = template.Library()


@register.filter
def duration(seconds):
    """Seconds as m:ss, the way players show time."""
    if seconds in (None, ""):
        return ""
    total = int(round(float(seconds)))
    return f"{total // 60}:{total % 60:02d}"
