from flask.cli import AppGroup

calendar_cli = AppGroup("calendar", help="工作日历")
