"""Public forms: the shape of input, nothing else."""

import unicodedata

from wtforms import StringField
from wtforms.validators import InputRequired, Length

from core.forms import Form


class LookupForm(Form):
    name = StringField("姓名", validators=[InputRequired("请填写姓名"), Length(max=64)])
    id_number = StringField("身份证号", validators=[InputRequired("请填写身份证号"), Length(max=40)])

    def typed_id(self) -> str:
        """The ID number as a phone keyboard types it: full-width digits, a lower-case x, and
        spaces anywhere (people group the 18 digits as the card prints them)."""
        return "".join(unicodedata.normalize("NFKC", self.id_number.data).split()).upper()
