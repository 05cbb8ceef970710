"""Use cases of Yibao Flow, one function per thing a user does, and the engine facade."""
