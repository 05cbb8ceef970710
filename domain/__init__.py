"""Pure policy code of Yibao Flow: values in, decisions out. Standard library only."""
