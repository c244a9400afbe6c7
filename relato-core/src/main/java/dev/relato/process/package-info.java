/**
 * Process managers and deadlines: workflows across aggregates. A {@link dev.relato.process.ProcessManager} reacts
 * to events (and to its deadlines and rejected commands) with pure functions that return a new state and effects:
 * commands to send, deadlines to schedule or cancel, the end of the process. A
 * {@link dev.relato.process.ProcessEngine} runs it on the projection runtime, records every step in the instance's
 * own stream, derives command ids from the input that caused them, and keeps deadlines in a
 * {@link dev.relato.process.DeadlineStore} beside the events.
 */
@NullMarked
package dev.relato.process;

import org.jspecify.annotations.NullMarked;
