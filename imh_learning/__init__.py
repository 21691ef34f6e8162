"""IMH Learning: the apps' shared entry points for a host site (not a Django app itself)."""
