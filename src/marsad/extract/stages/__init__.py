"""The engine's stages, one job each, built from a language pack and run by
:class:`marsad.extract.engine.Engine` in this order:

Per document: :class:`~.dates.Dateline` finds the report's own date.

Per sentence: :class:`~.triggers.Triggers` (lexicon matches, live event words),
:class:`~.boilerplate.Boilerplate` (page furniture, whose matches it drops),
:class:`~.event_type.EventTyping` (the one type it reports), :class:`~.figures.Figures` (dates,
counts, tallies).

Per document again: :class:`~.eventful.Eventful` (which sentences report an event),
:class:`~.places.Places` (the gazetteer's places, given to their sentences),
:class:`~.grouping.Grouping` (sentences into claims).

Per claim (:class:`~.assembly.Assembly`): :class:`~.claim_counts.ClaimCounts`,
:class:`~.claim_type.ClaimType`, :class:`~.dates.ClaimDate`, :class:`~.scope.ClaimScope`,
:class:`~.places.Places`, :class:`~.actors.Actors`, :class:`~.means.Means`,
:class:`~.sources.Sources`, :class:`~.people.People`.

What each stage writes is listed field by field in :mod:`marsad.extract.state`.
"""
