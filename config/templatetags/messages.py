"""``{{ file.findings|message }}``-style rendering of stored worker messages (config.messages).

Loaded as a builtin (settings.TEMPLATES): every template renders stored messages the same way.
"""

from django import template

from config.messages import render

register = template.Library()


@register.filter(name="message")
def message_filter(value) -> str:
    """A stored message (or a legacy sentence) in the active language; autoescaped as any text."""
    return render(value)
