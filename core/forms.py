"""The project's form base and forms every package uses."""

from flask_wtf import FlaskForm
from wtforms.meta import DefaultMeta

from core.csrf import MaskedFormCSRF


class Form(FlaskForm):
    """A Flask-WTF form whose fields say when they are wrong: a field with errors renders with
    aria-invalid and aria-describedby pointing at its messages, which the `errors` macro of
    templates/_fields.html prints under the id `<field id>-error`."""

    class Meta:
        csrf_class = MaskedFormCSRF  # a fresh string in every response (core/csrf.py)
        # A search form skips a value it cannot read instead of reporting it: no message to point at.
        announce_errors = True
        # WTForms' own messages (a number that is none, a hidden field left out) in Chinese: Flask-WTF
        # translates only through Flask-Babel, which the app does not use, and so showed them in English.
        locales = ("zh",)

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)

        def render_field(self, field, render_kw):
            if field.errors and self.announce_errors:
                shown_as = render_kw.get("id", field.id)
                render_kw = {"aria-invalid": "true", "aria-describedby": f"{shown_as}-error", **render_kw}
            return super().render_field(field, render_kw)


class ConfirmForm(Form):
    """A button-only form: carries the CSRF token for a state-changing POST."""
