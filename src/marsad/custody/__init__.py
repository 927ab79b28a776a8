"""Custody that proves itself outside the database: signed checkpoints of the ledger head
(:mod:`~marsad.custody.checkpoint`), RFC 3161 time-stamps of them (:mod:`~marsad.custody.tsa`)
and evidence packets that a recipient checks with Python alone
(:mod:`~marsad.custody.packet`, :mod:`~marsad.custody.verify_packet`)."""
