"""Views declared in the module that holds them and attached to their blueprint where the app is
assembled (app.py), rather than by the side effect of importing a module."""

from collections.abc import Callable

from flask import Blueprint


class Views:
    """A module's routes and blueprint hooks, recorded by decorators and handed to a blueprint by
    attach(). The decorators return the function itself, so views stay plain, callable functions."""

    def __init__(self) -> None:
        self._steps: list[Callable[[Blueprint], None]] = []
        self._attached: set[str] = set()

    def route(self, rule: str, **options) -> Callable:
        def declare(view: Callable) -> Callable:
            self._steps.append(lambda bp: bp.add_url_rule(rule, view_func=view, **options))
            return view

        return declare

    def get(self, rule: str, **options) -> Callable:
        return self.route(rule, methods=["GET"], **options)

    def post(self, rule: str, **options) -> Callable:
        return self.route(rule, methods=["POST"], **options)

    def app_context_processor(self, function: Callable) -> Callable:
        self._steps.append(lambda bp: bp.app_context_processor(function))
        return function

    def app_template_filter(self, name: str) -> Callable:
        def declare(function: Callable) -> Callable:
            self._steps.append(lambda bp: bp.app_template_filter(name)(function))
            return function

        return declare

    def attach(self, bp: Blueprint) -> None:
        """Add the views to the blueprint, once: a blueprint takes no new routes after it has been
        registered on its first app, and every app of the process shares it."""
        if bp.name not in self._attached:
            for step in self._steps:
                step(bp)
            self._attached.add(bp.name)
