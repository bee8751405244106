import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { IncomingMessage, OutgoingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import express from 'express';

// Every prototype an HTTP request or response of node or Express inherits from.
const PROTOTYPES = {
  'express.response': express.response,
  'express.request': express.request,
  'http.ServerResponse': ServerResponse.prototype,
  'http.OutgoingMessage': OutgoingMessage.prototype,
  'http.IncomingMessage': IncomingMessage.prototype,
  'net.Socket': Socket.prototype,
  EventEmitter: EventEmitter.prototype,
};

/** Each shared prototype's own properties and their values or accessors, to compare before and after. */
export function prototypeState(): Map<string, unknown> {
  const state = new Map<string, unknown>();
  for (const [name, proto] of Object.entries(PROTOTYPES)) {
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      state.set(`${name}.${key}`, descriptor.value ?? [descriptor.get, descriptor.set]);
    }
  }
  return state;
}

/** Whether anything in the process subscribes to node's HTTP server channels. */
export function httpChannelsObserved(): boolean {
  return ['http.server.request.start', 'http.server.response.finish'].some(
    (name) => channel(name).hasSubscribers,
  );
}

/** What a handler sees of the response it was handed: own keys, listeners, and its writeHead's origin. */
export function responseFootprint(res: ServerResponse): {
  ownKeys: string[];
  listeners: Record<string, number>;
  socketCloseListeners: number;
  inheritsWriteHead: boolean;
} {
  return {
    ownKeys: Reflect.ownKeys(res).map(String).sort(),
    listeners: Object.fromEntries(res.eventNames().map((event) => [String(event), res.listenerCount(event)])),
    socketCloseListeners: res.socket?.listenerCount('close') ?? 0,
    inheritsWriteHead: res.writeHead === ServerResponse.prototype.writeHead,
  };
}
