"""HTML forms as a browser sees them: every field's current value, ready to post back.

Only what the studio's templates use: input (text, hidden, number, url, checkbox, radio),
textarea and select. A checkbox counts when checked, a radio when checked, a select's value
is its selected option (else its first).
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    id: str
    fields: dict = field(default_factory=dict)  # name -> value (what the browser would post)
    names: set = field(default_factory=set)  # every field name, checked or not
    options: dict = field(default_factory=dict)  # select name -> [option values]
    textareas: set = field(default_factory=set)

    def data(self, **overrides):
        """The form's values with some replaced; a value of None drops the field."""
        out = dict(self.fields)
        for name, value in overrides.items():
            if value is None:
                out.pop(name, None)
            else:
                out[name] = value
        return out


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.form = None
        self.textarea = None
        self.select = None
        self.option = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.form = Form(a.get("action", ""), a.get("method", "get").lower(), a.get("id", ""))
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            self.form.names.add(name)
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.form.fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "image", "file", "reset"):
                self.form.fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self.form.names.add(name)
            self.textarea = name
            self.form.textareas.add(name)
            self.form.fields[name] = ""
        elif tag == "select" and name:
            self.form.names.add(name)
            self.select = name
            self.form.options[name] = []
        elif tag == "option" and self.select:
            value = a.get("value")
            self.option = {"value": value, "text": "", "selected": "selected" in a}
            self.form.options[self.select].append(self.option)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.form is not None and self.select:
            options = self.form.options[self.select]
            chosen = next((o for o in options if o["selected"]), options[0] if options else None)
            if chosen is not None:
                value = chosen["value"] if chosen["value"] is not None else chosen["text"].strip()
                self.form.fields[self.select] = value
            self.form.options[self.select] = [
                o["value"] if o["value"] is not None else o["text"].strip() for o in options
            ]
            self.select = None
        elif tag == "option":
            self.option = None

    def handle_data(self, data):
        if self.form is None:
            return
        if self.textarea:
            self.form.fields[self.textarea] += data
        elif self.option is not None:
            self.option["text"] += data


def parse_forms(html):
    parser = _Parser()
    parser.feed(html)
    parser.close()
    for form in parser.forms:
        # A textarea's first newline belongs to the markup, as browsers read it.
        for name in form.textareas:
            if form.fields[name].startswith("\n"):
                form.fields[name] = form.fields[name][1:]
    return parser.forms


def find_form(html, *, action=None, has=None, form_id=None):
    """The first POST form matching every given condition, or None."""
    for form in parse_forms(html):
        if form.method != "post":
            continue
        if form_id is not None and form.id != form_id:
            continue
        if action is not None and form.action != action:
            continue
        if has is not None and has not in form.names:
            continue
        return form
    return None
