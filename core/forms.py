"""Forms every package uses."""
from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button-only form: carries the CSRF token for a state-changing POST."""
