"""Registrations of the one-person file (一人一档), connected from DossierConfig.ready()."""


def connect():
    pass
