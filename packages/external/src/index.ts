// Populated by its issue; see README.md.
export {};
