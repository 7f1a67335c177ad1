"""Workshop dashboard (Mesa SolaraViz) and the matplotlib pictures it shares with `clc-sim animate`."""
