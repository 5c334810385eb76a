"""Registrations of this part of cultivation, connected from CultivationConfig.ready()."""


def connect():
    pass
