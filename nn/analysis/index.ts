// gs.analysis — filled in by its issue; see the README's tour.
export {};
