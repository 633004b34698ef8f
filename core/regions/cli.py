from flask.cli import AppGroup
regions_cli = AppGroup("regions")
