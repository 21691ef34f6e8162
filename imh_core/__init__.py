"""What every IMH Learning app shares: the bottom layer, importing none of the others."""
