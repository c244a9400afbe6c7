/**
 * Commands: plain records sent through a {@link dev.relato.command.CommandBus}, which routes each command type
 * to one handler (a decider, an aggregate root or a free function), runs middleware around the dispatch, and
 * derives the ids of the events a command appends from the command's id, so that re-sending a command is an
 * idempotent retry. A {@link dev.relato.command.Receipt} tells what was appended; a rejection is the domain's
 * own exception, unchanged.
 */
@NullMarked
package dev.relato.command;

import org.jspecify.annotations.NullMarked;
