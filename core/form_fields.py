"""Form fields shared by the back office's forms."""

from wtforms import DecimalField


class FiniteDecimalField(DecimalField):
    """A DecimalField that takes only a finite number: Decimal reads "NaN", "sNaN" and "Infinity"
    too, and WTForms' NumberRange raises on a signaling NaN (a 500) where it should refuse it."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError("请填写数字")
