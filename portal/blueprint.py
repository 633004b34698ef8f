"""The public blueprint; view modules attach to it, and portal/__init__ imports them all."""

from flask import Blueprint

bp = Blueprint("portal", __name__, template_folder="templates")
