package dev.relato;

/** Order of a stream read: by rising version, or from the newest event back. */
public enum Direction {
    FORWARDS,
    BACKWARDS
}
