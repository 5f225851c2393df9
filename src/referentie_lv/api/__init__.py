"""The API services of the reference LV; the common framework is in ``basis``.

Each service module has ``dienst(config) -> basis.Dienst``; ``referentie_lv.app`` mounts them.
See the docstring of ``referentie_lv.api.basis`` for how a service plugs in.
"""
