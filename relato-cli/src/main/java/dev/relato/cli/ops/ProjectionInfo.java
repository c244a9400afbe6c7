package dev.relato.cli.ops;

import java.util.Optional;

/**
 * A projection as an operator sees it: its checkpoint against the head of the log, its dead letters, and, when
 * its runner runs in this process, the runner's state and last error.
 *
 * @param name        the checkpoint name
 * @param position    its checkpoint: every event up to here is handled
 * @param head        the head of the log when looked at
 * @param behind      {@code head - position}, at least 0: a distance in the log (positions are sparse on some
 *                    stores), not a number of events
 * @param deadLetters how many events it skipped
 * @param paused      whether an operator paused it (its runners, in any process, handle nothing until resumed)
 * @param state       the runner's state ({@code caught_up}, {@code failed}, …) if it runs in this process
 * @param lastError   the runner's last error, if it runs in this process and has one
 */
public record ProjectionInfo(String name, long position, long head, long behind, int deadLetters, boolean paused,
                             Optional<String> state, Optional<String> lastError) {
}
