"""`kg extract`: a draft fact file of candidate claims from a new Chinese article."""
