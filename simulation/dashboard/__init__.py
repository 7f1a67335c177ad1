"""Workshop dashboard (a Solara page around a Mesa model) and the pictures it shares with `clc-sim animate`."""
