// gs.io — filled in by its issue; see the README's tour.
export {};
