/**
 * FAQ suggestion latency with 10,000 FAQs (issue 6 §8: p99 under 20 ms in the database).
 *
 * A throwaway stack, a throwaway organization with one client and 10,000 generated FAQs (half for
 * the client, half firm-wide, from a travel/shop/account vocabulary), a conversation whose visitor
 * wrote three messages, and Maria (a seeded user) as staff of it. Then, as Maria under RLS (role
 * authenticated + her JWT claims, exactly what PostgREST sets), `public.suggest_faqs`:
 *   - from the conversation's own messages, and with 300 varied visitor-like queries (p_query);
 *   - in-database time from EXPLAIN (ANALYZE) of each call (no network, no parse in the client);
 *   - beside a bare reference in the same session: `select 1` under the same role and claims.
 *
 *   npx tsx admin/bench/faq-suggest.ts          # prints the figures (Markdown) for admin/README.md
 *   DATABASE_URL=postgres://… npx tsx …         # against an existing database with the migrations
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { startLocalSupabase } from '../../supabase/local/index.ts';

const FAQS = 10_000;
const RUNS = Number(process.env.RUNS) || 300;
const MARIA = '20000000-0000-4000-8000-000000000003';

const ACTIONS = [
  'change',
  'cancel',
  'refund',
  'upgrade',
  'book',
  'return',
  'track',
  'pay for',
  'reschedule',
  'transfer',
  'split',
  'extend',
  'insure',
  'download',
  'resend',
  'update',
  'delete',
  'verify',
  'confirm',
  'add',
  'remove',
  'rename',
  'combine',
  'exchange',
  'claim',
  'reserve',
  'renew',
  'pause',
  'reopen',
  'report',
];
const OBJECTS = [
  'flight',
  'hotel room',
  'rental car',
  'train ticket',
  'ferry crossing',
  'package holiday',
  'cruise cabin',
  'seat',
  'checked bag',
  'boarding pass',
  'e-ticket',
  'invoice',
  'receipt',
  'gift card',
  'voucher',
  'discount code',
  'loyalty points',
  'travel insurance',
  'visa letter',
  'passport details',
  'order',
  'parcel',
  'delivery address',
  'payment card',
  'bank transfer',
  'instalment plan',
  'subscription',
  'account',
  'password',
  'email address',
  'phone number',
  'newsletter',
  'wishlist',
  'review',
  'warranty',
  'spare part',
  'laptop',
  'headphones',
  'phone case',
  'smart watch',
  'airport transfer',
  'city tour',
  'museum pass',
  'ski pass',
  'restaurant booking',
  'spa treatment',
  'late checkout',
  'early check-in',
  'pet fee',
  'child seat',
  'meal option',
  'wheelchair assistance',
  'lounge access',
  'wifi voucher',
  'parking space',
  'group booking',
  'school trip',
  'business trip',
  'honeymoon package',
  'weekend break',
];
const WHEN = ['', ' after payment', ' online', ' before departure', ' within 24 hours', ' from the app'];
const ANSWERS = [
  'Open "My trips", choose the booking and follow the steps under "Manage".',
  'Fees and fare differences are shown before you confirm; nothing is charged until then.',
  'We email a confirmation within two hours, so check your spam folder if it has not arrived.',
  'Refunds go back to the original payment method within 5 to 10 working days.',
  'Send us the reference from your confirmation email and we will do it for you here in the chat.',
  'Some partners do not allow changes after ticketing; the booking summary says which rules apply.',
  'You can do this yourself up to 24 hours before the start; after that, contact us.',
  'A screenshot of the error message helps us find the problem faster.',
];

function faqAt(i: number): { question: string; answer: string } {
  const action = ACTIONS[i % ACTIONS.length] as string;
  const object = OBJECTS[Math.floor(i / ACTIONS.length) % OBJECTS.length] as string;
  const when = WHEN[Math.floor(i / (ACTIONS.length * OBJECTS.length)) % WHEN.length] as string;
  const answer = [0, 3, 5].map((k) => ANSWERS[(i + k) % ANSWERS.length]).join(' ');
  return {
    question: `How do I ${action} my ${object}${when}? (${i})`,
    answer: `To ${action} your ${object}: ${answer}`,
  };
}

function visitorQuery(i: number): string {
  const action = ACTIONS[(i * 7) % ACTIONS.length] as string;
  const object = OBJECTS[(i * 13) % OBJECTS.length] as string;
  const forms = [
    `Hi, I need to ${action} my ${object}, how does that work?`,
    `hello i cant ${action} the ${object} it keeps failing`,
    `Is it possible to ${action} a ${object} I booked last week? Thanks`,
    `${action} ${object}`,
    `I was charged twice for my ${object} and want to ${action} it, what do I do`,
  ];
  // Every fifth query with a typo, which only trigram similarity still matches.
  const text = forms[i % forms.length] as string;
  return i % 5 === 0 ? text.replace(/e/, 'ee') : text;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function summary(name: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(2);
  return `| ${name} | ${values.length} | ${f(percentile(sorted, 50))} | ${f(percentile(sorted, 99))} | ${f(sorted.at(-1) as number)} |`;
}

async function main() {
  let stop = async () => {};
  let dbUrl = process.env.DATABASE_URL ?? '';
  if (!dbUrl) {
    const dataDir = await mkdtemp(join(tmpdir(), 'faq-bench-'));
    const stack = await startLocalSupabase({
      dataDir,
      dbPort: 0,
      gatewayPort: 0,
      persistent: false,
      seed: true,
      log: () => {},
    });
    dbUrl = stack.dbUrl;
    stop = async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    // --- a throwaway organization --------------------------------------------------------------
    const slug = `faq-bench-${Date.now().toString(36)}`;
    const [org] = await sql<
      { id: string }[]
    >`insert into public.organizations (name, slug) values ('FAQ bench', ${slug}) returning id`;
    const orgId = org!.id;
    await sql`insert into public.org_members (org_id, user_id, role, display_name, email) values (${orgId}, ${MARIA}, 'manager', 'Maria', 'manager@northwind.test')`;
    const [client] = await sql<
      { id: string }[]
    >`insert into public.clients (org_id, name) values (${orgId}, 'Bench Travel') returning id`;
    const [other] = await sql<
      { id: string }[]
    >`insert into public.clients (org_id, name) values (${orgId}, 'Other client') returning id`;
    const [site] = await sql<
      { id: string }[]
    >`insert into public.sites (org_id, client_id, name, allowed_domains) values (${orgId}, ${client!.id}, 'bench.test', '{localhost}') returning id`;
    const [visitor] = await sql<
      { id: string }[]
    >`insert into public.visitors (org_id, client_id, site_id, name) values (${orgId}, ${client!.id}, ${site!.id}, 'Bench visitor') returning id`;
    const [conversation] = await sql<{ id: string }[]>`
      insert into public.conversations (org_id, client_id, site_id, visitor_id, status) values (${orgId}, ${client!.id}, ${site!.id}, ${visitor!.id}, 'active') returning id`;
    const conversationId = conversation!.id;
    const said = [
      'Hello!',
      'I booked a hotel room for next week and need to cancel it.',
      'Do I get my money back?',
    ];
    for (const [i, body] of said.entries())
      await sql`insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body) values (${orgId}, ${conversationId}, ${`b-${i}`}, 'visitor', ${visitor!.id}, ${body})`;

    // --- 10,000 FAQs: 45 % for this client, 45 % firm-wide, 10 % another client's --------------
    const started = performance.now();
    const rows = Array.from({ length: FAQS }, (_, i) => ({
      org_id: orgId,
      client_id: i % 10 === 9 ? other!.id : i % 2 === 0 ? client!.id : null,
      ...faqAt(i),
      use_count: (i * 37) % 90,
    }));
    for (let i = 0; i < rows.length; i += 1000)
      await sql`insert into public.faqs ${sql(rows.slice(i, i + 1000))}`;
    await sql`analyze public.faqs`;
    const insertMs = performance.now() - started;

    // --- as Maria, under RLS ---------------------------------------------------------------------
    const claims = JSON.stringify({ sub: MARIA, role: 'authenticated', aud: 'authenticated' });
    const asMaria = <T>(fn: (tx: postgres.TransactionSql) => Promise<T>) =>
      sql.begin(async (tx) => {
        await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
        return fn(tx);
      });
    const explainMs = async (tx: postgres.TransactionSql, query: string | null) => {
      const [row] = await tx.unsafe<{ 'QUERY PLAN': { 'Execution Time': number }[] }[]>(
        'explain (analyze, format json) select * from public.suggest_faqs($1, $2, 5)',
        [conversationId, query],
      );
      return row!['QUERY PLAN'][0]!['Execution Time'];
    };

    const fromMessages: number[] = [];
    const fromQueries: number[] = [];
    const roundTrips: number[] = [];
    const reference: number[] = [];
    const sample = await asMaria(async (tx) => {
      for (let i = 0; i < 20; i++) await explainMs(tx, visitorQuery(i)); // warm caches and plans
      for (let i = 0; i < RUNS; i++) fromQueries.push(await explainMs(tx, visitorQuery(i)));
      for (let i = 0; i < 100; i++) fromMessages.push(await explainMs(tx, null));
      for (let i = 0; i < RUNS; i++) {
        let t = performance.now();
        await tx`select * from public.suggest_faqs(${conversationId}, ${visitorQuery(i)}, 5)`;
        roundTrips.push(performance.now() - t);
        t = performance.now();
        await tx`select 1`;
        reference.push(performance.now() - t);
      }
      return {
        messages: await tx`select question, score from public.suggest_faqs(${conversationId}, null, 3)`,
        typo: await tx`select question, score from public.suggest_faqs(${conversationId}, 'how do I cancle my hotel rooom', 3)`,
        visible: await tx`select count(*)::int as n from public.faqs where org_id = ${orgId}`,
      };
    });

    console.log(
      `FAQ suggestions: ${FAQS.toLocaleString('en')} FAQs inserted in ${(insertMs / 1000).toFixed(1)} s; Maria sees ${sample.visible[0]?.n} (RLS)`,
    );
    console.log(`Top 3 for the conversation ("…need to cancel it. Do I get my money back?"):`);
    for (const r of sample.messages) console.log(`  ${Number(r.score).toFixed(2)}  ${r.question}`);
    console.log(`Top 3 for "how do I cancle my hotel rooom":`);
    for (const r of sample.typo) console.log(`  ${Number(r.score).toFixed(2)}  ${r.question}`);
    console.log('');
    console.log('| measure (ms) | runs | p50 | p99 | max |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    console.log(summary('in the database, visitor-like queries (EXPLAIN ANALYZE)', fromQueries));
    console.log(summary("in the database, from the conversation's last 3 messages", fromMessages));
    console.log(summary('round trip from Node (postgres.js, localhost)', roundTrips));
    console.log(summary('reference: `select 1`, same session and role', reference));
    if (!process.env.KEEP) await sql`delete from public.organizations where id = ${orgId}`;
  } finally {
    await sql.end({ timeout: 2 });
    await stop();
  }
}

await main();
