/**
 * The seam between the LeaderClient (the socket) and the command executor (the work): the
 * client hands over every `command` and `cancel`, says when a leader welcomed it (with the
 * epoch and a way to send) and when the socket went away. Nothing else crosses it.
 */
import type {
  CancelMessage,
  CommandMessage,
  LeaderMessage,
  ProgressMessage,
  ResultMessage,
} from '../protocol/index.js';

/** Sends one message to the leader; false when it could not go out (no open socket). */
export type CommandSend = (message: ProgressMessage | ResultMessage) => boolean;

/** What the LeaderClient tells the command side. */
export interface CommandChannel {
  /** A leader welcomed this agent: note its epoch, and replay what it missed. */
  welcomed(epoch: number, send: CommandSend): void;
  /** A command or a cancel arrived. */
  received(message: CommandMessage | CancelMessage): void;
  /** The socket closed: hold results until the next welcome. */
  disconnected(): void;
}

/** True for the leader messages that belong to the command channel. */
export function isCommandMessage(
  message: LeaderMessage,
): message is CommandMessage | CancelMessage {
  return message.type === 'command' || message.type === 'cancel';
}
