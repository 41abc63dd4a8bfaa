"""Posting a Django admin form as a browser would: every field as the page shows it, then a few changes."""

from django.forms import CheckboxInput, ModelMultipleChoiceField, MultipleChoiceField, MultiWidget


def _field_data(form) -> dict:
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value, widget, name = bound.value(), bound.field.widget, bound.html_name
        if isinstance(widget, MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif isinstance(widget, CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(bound.field, MultipleChoiceField | ModelMultipleChoiceField) or isinstance(value, list | tuple):
            data[name] = [str(item) for item in value or []]
        else:
            data[name] = "" if value is None else str(value)
    return data


def admin_form_data(response, **changes) -> dict:
    """The POST body of the admin add/change page ``response``, with ``changes`` (None: leave out)."""
    data = _field_data(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        data.update(_field_data(formset.management_form))
        for form in formset.forms:
            data.update(_field_data(form))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
