/**
 * One valid example of every frame, for tests (and the same shapes as chat-server/PROTOCOL.md).
 * Not exported from the package: test data only.
 */
import type { ClientFrameOf } from '../client-frames.ts';
import type { Conversation, Message } from '../entities.ts';
import type { ClientFrameType, ServerFrameType } from '../frame-types.ts';
import type { ServerFrameOf } from '../server-frames.ts';

export const CONVERSATION_ID = '3f1c2a9e-8b7d-4c1e-9a55-0e2b7d6c4a10';
export const VISITOR_ID = '7a0e5c1d-2b3f-4e6a-8c9d-1f2e3a4b5c6d';
export const AGENT_ID = '20000000-0000-4000-8000-000000000001';
export const GROUP_ID = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';
export const OFFER_ID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const SITE_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const ORG_ID = '10000000-0000-4000-8000-000000000001';
const MESSAGE_ID = '0d9c8b7a-6f5e-4d3c-9b2a-190817263544';
const ATTACHMENT_ID = 'c0ffee00-1234-4abc-8def-001122334455';
const AT = '2026-11-21T09:30:00.000Z';

export const exampleMessage: Message = {
  id: MESSAGE_ID,
  conversationId: CONVERSATION_ID,
  seq: 4,
  clientMsgId: 'v-1732181400000-1',
  senderKind: 'visitor',
  senderId: VISITOR_ID,
  senderName: 'Ana',
  body: 'Here is the screenshot',
  payload: {},
  attachments: [
    {
      id: ATTACHMENT_ID,
      fileName: 'screenshot.png',
      contentType: 'image/png',
      sizeBytes: 48213,
      url: '/v1/files/c0ffee00-1234-4abc-8def-001122334455?exp=1732185000&sig=abc',
      urlExpiresAt: '2026-11-21T10:30:00.000Z',
    },
  ],
  createdAt: AT,
};

export const exampleConversation: Conversation = {
  id: CONVERSATION_ID,
  status: 'queued',
  topic: 'Billing',
  groupId: GROUP_ID,
  visitor: { id: VISITOR_ID, name: 'Ana', email: 'ana@example.com' },
  assignee: null,
  participants: [],
  lastSeq: 1,
  visitorReadSeq: 1,
  queuePosition: 3,
  estimatedWaitSeconds: 90,
  createdAt: AT,
  closedAt: null,
  closedBy: null,
  rating: null,
};

const queueEntry = {
  conversationId: CONVERSATION_ID,
  groupId: GROUP_ID,
  position: 1,
  queuedAt: AT,
  topic: 'Billing',
  visitor: { id: VISITOR_ID, name: 'Ana', email: 'ana@example.com' },
  pageUrl: 'https://shop.example.com/checkout',
  pageTitle: 'Checkout',
  firstMessage: 'My card was charged twice',
  language: 'en',
};

/** A valid example of each client frame. */
export const clientExamples: { [T in ClientFrameType]: ClientFrameOf<T> } = {
  'conversation.start': {
    type: 'conversation.start',
    ref: 'r1',
    topic: 'Billing',
    fields: { order: 'A-1042' },
    name: 'Ana',
    email: 'ana@example.com',
    firstMessage: { clientMsgId: 'v-1732181400000-1', body: 'My card was charged twice' },
    url: 'https://shop.example.com/checkout',
    language: 'en',
  },
  'conversation.subscribe': {
    type: 'conversation.subscribe',
    ref: 'r2',
    conversationId: CONVERSATION_ID,
    afterSeq: 3,
    limit: 100,
  },
  'conversation.unsubscribe': { type: 'conversation.unsubscribe', conversationId: CONVERSATION_ID },
  'message.send': {
    type: 'message.send',
    ref: 'r3',
    conversationId: CONVERSATION_ID,
    clientMsgId: 'v-1732181400000-2',
    body: 'Here is the screenshot',
    attachmentIds: [ATTACHMENT_ID],
    note: false,
  },
  typing: { type: 'typing', conversationId: CONVERSATION_ID, on: true },
  draft: { type: 'draft', conversationId: CONVERSATION_ID, text: 'I was charged tw' },
  read: { type: 'read', conversationId: CONVERSATION_ID, seq: 4 },
  page_view: {
    type: 'page_view',
    url: 'https://shop.example.com/checkout',
    title: 'Checkout',
    conversationId: CONVERSATION_ID,
  },
  'presence.set': { type: 'presence.set', status: 'online', maxChats: 4 },
  viewing: { type: 'viewing', conversationId: CONVERSATION_ID, on: true },
  'conversation.close': { type: 'conversation.close', conversationId: CONVERSATION_ID },
  'conversation.rate': {
    type: 'conversation.rate',
    ref: 'r4',
    conversationId: CONVERSATION_ID,
    rating: 5,
    comment: 'Quick and kind',
  },
  ping: { type: 'ping', ref: 'p17' },
  'auth.refresh': {
    type: 'auth.refresh',
    ref: 'a3',
    token:
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIyMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDEifQ.c2lnbmF0dXJl',
  },
  'offer.accept': { type: 'offer.accept', ref: 'r5', offerId: OFFER_ID, conversationId: CONVERSATION_ID },
  'offer.decline': {
    type: 'offer.decline',
    offerId: OFFER_ID,
    conversationId: CONVERSATION_ID,
    reason: 'On a call',
  },
  'queue.claim': { type: 'queue.claim', ref: 'r6', conversationId: CONVERSATION_ID },
  'conversation.transfer': {
    type: 'conversation.transfer',
    conversationId: CONVERSATION_ID,
    to: { kind: 'group', groupId: GROUP_ID },
    note: 'Refund request, needs billing',
  },
  'conversation.invite': {
    type: 'conversation.invite',
    conversationId: CONVERSATION_ID,
    userId: AGENT_ID,
    note: 'Can you confirm the refund policy?',
  },
  'conversation.leave': { type: 'conversation.leave', conversationId: CONVERSATION_ID },
  'offline.message': {
    type: 'offline.message',
    ref: 'r7',
    name: 'Ana',
    email: 'ana@example.com',
    message: { clientMsgId: 'v-1732181400000-9', body: 'Please call me back about my refund' },
    topic: 'Billing',
    url: 'https://shop.example.com/checkout',
    language: 'en',
  },
  'conversation.transcript': {
    type: 'conversation.transcript',
    ref: 'r8',
    conversationId: CONVERSATION_ID,
    email: 'ana@example.com',
  },
};

/** A valid example of each server frame. */
export const serverExamples: { [T in ServerFrameType]: ServerFrameOf<T> } = {
  welcome: {
    type: 'welcome',
    protocolVersion: 1,
    connectionId: 'c-4f9a2b',
    identity: { kind: 'visitor', visitorId: VISITOR_ID, siteId: SITE_ID, name: 'Ana', email: '' },
    heartbeatIntervalMs: 25000,
    serverTime: AT,
  },
  ack: {
    type: 'ack',
    ref: 'r3',
    conversationId: CONVERSATION_ID,
    clientMsgId: 'v-1732181400000-2',
    messageId: MESSAGE_ID,
    seq: 4,
    createdAt: AT,
    duplicate: false,
  },
  message: { type: 'message', message: exampleMessage },
  sync: {
    type: 'sync',
    ref: 'r2',
    conversationId: CONVERSATION_ID,
    conversation: exampleConversation,
    messages: [exampleMessage],
    lastSeq: 4,
    hasMore: false,
  },
  conversation: { type: 'conversation', conversation: exampleConversation },
  typing: {
    type: 'typing',
    conversationId: CONVERSATION_ID,
    from: { kind: 'agent', id: AGENT_ID, name: 'Sam' },
    on: true,
  },
  draft: { type: 'draft', conversationId: CONVERSATION_ID, visitorId: VISITOR_ID, text: 'I was charged tw' },
  read: {
    type: 'read',
    conversationId: CONVERSATION_ID,
    reader: { kind: 'visitor', id: VISITOR_ID, name: 'Ana' },
    seq: 4,
  },
  page_view: {
    type: 'page_view',
    conversationId: CONVERSATION_ID,
    visitorId: VISITOR_ID,
    url: 'https://shop.example.com/checkout',
    title: 'Checkout',
    at: AT,
  },
  presence: { type: 'presence', userId: AGENT_ID, status: 'away', at: AT },
  viewers: { type: 'viewers', conversationId: CONVERSATION_ID, viewers: [{ userId: AGENT_ID, name: 'Sam' }] },
  error: {
    type: 'error',
    ref: 'r3',
    code: 'invalid_frame',
    message: 'invalid "message.send" frame: field "body": expected string, received number',
  },
  ok: { type: 'ok', ref: 'r4' },
  pong: { type: 'pong', ref: 'p17', serverTime: AT },
  offer: {
    type: 'offer',
    offerId: OFFER_ID,
    kind: 'assignment',
    expiresAt: '2026-11-21T09:30:30.000Z',
    entry: queueEntry,
  },
  'offer.revoked': {
    type: 'offer.revoked',
    offerId: OFFER_ID,
    conversationId: CONVERSATION_ID,
    reason: 'timeout',
  },
  queue: { type: 'queue', groupId: GROUP_ID, entries: [queueEntry] },
};

/** The agent identity variant of `welcome`, to cover both identity kinds. */
export const agentWelcome: ServerFrameOf<'welcome'> = {
  type: 'welcome',
  protocolVersion: 1,
  connectionId: 'c-77d1e0',
  identity: {
    kind: 'agent',
    userId: AGENT_ID,
    orgId: ORG_ID,
    role: 'agent',
    name: 'Sam',
    groupIds: [GROUP_ID],
  },
  heartbeatIntervalMs: 25000,
  serverTime: AT,
};
