"""Audience-centric post-production: screen the rough cut, critique it, cut it finer (FilMaster, section 3.2)."""
