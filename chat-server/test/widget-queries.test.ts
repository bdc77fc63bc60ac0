import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createSql } from '../src/db/sql.ts';
import { findSiteByKey, getSite, siteGroupIds } from '../src/sites/queries.ts';
import {
  getVisitor,
  insertVisitor,
  latestOpenConversationId,
  touchVisitor,
} from '../src/visitors/queries.ts';

const ACME_SITE = '40000000-0000-4000-8000-000000000001';
const BOOKINGS = '50000000-0000-4000-8000-000000000001';

describe('site queries', () => {
  const sql = createSql({ url: inject('supabase').dbUrl, role: 'chat_server', max: 2 });
  afterAll(() => sql.end({ timeout: 1 }));

  it('finds the Acme Travel demo site by key with its JSON columns typed', async () => {
    const site = await findSiteByKey(sql, 'acme_travel_demo');
    expect(site).toMatchObject({
      id: ACME_SITE,
      orgId: '10000000-0000-4000-8000-000000000001',
      clientId: '30000000-0000-4000-8000-000000000001',
      siteKey: 'acme_travel_demo',
      timeZone: 'Europe/Berlin',
      defaultGroupId: BOOKINGS,
      widgetSettings: {
        color: '#0e7490',
        position: 'right',
        launcherText: 'Chat with us',
        title: 'Acme Travel',
      },
    });
    expect(site?.allowedDomains).toContain('*.acmetravel.test');
    expect(site?.topics[0]).toEqual({ label: 'A new or existing booking', groupId: BOOKINGS });
    expect(site?.prechatFields.map((f) => f.name)).toEqual(['booking_ref']);
    expect(site?.businessHours.mon).toEqual([{ open: '08:00', close: '20:00' }]);
    expect(site?.greetings).toHaveLength(3);
    expect(siteGroupIds(site!)).toHaveLength(3);
  });

  it('gets a site by id and answers null for unknown keys, ids and non-uuids', async () => {
    expect((await getSite(sql, ACME_SITE))?.siteKey).toBe('acme_travel_demo');
    expect(await getSite(sql, '40000000-0000-4000-8000-0000000000ff')).toBeNull();
    expect(await getSite(sql, 'not-a-uuid')).toBeNull();
    expect(await findSiteByKey(sql, 'no_such_site_key')).toBeNull();
    expect(await findSiteByKey(sql, "x' or 1=1 --")).toBeNull();
  });
});

describe('visitor queries', () => {
  const sql = createSql({ url: inject('supabase').dbUrl, role: 'chat_server', max: 2 });
  const admin = postgres(inject('supabase').dbUrl, { max: 1, onnotice: () => {} });
  afterAll(async () => {
    await sql.end({ timeout: 1 });
    await admin.end({ timeout: 1 });
  });

  it('inserts, reads and touches a visitor; finds the latest open conversation', async () => {
    const v = await insertVisitor(sql, {
      orgId: '10000000-0000-4000-8000-000000000001',
      clientId: '30000000-0000-4000-8000-000000000001',
      siteId: ACME_SITE,
      locale: 'de-DE',
      userAgent: 'test-agent',
    });
    expect(await getVisitor(sql, v.id)).toMatchObject({ id: v.id, siteId: ACME_SITE, locale: 'de-DE' });
    expect(await getVisitor(sql, 'nope')).toBeNull();
    expect(await touchVisitor(sql, v.id, '40000000-0000-4000-8000-000000000002')).toBeNull();
    const touched = await touchVisitor(sql, v.id, ACME_SITE, { locale: 'fr' });
    expect(touched?.locale).toBe('fr');
    expect(touched?.userAgent).toBe('test-agent');
    expect(touched!.lastSeenAt.getTime()).toBeGreaterThanOrEqual(v.lastSeenAt.getTime());

    expect(await latestOpenConversationId(sql, v.id)).toBeNull();
    const [closed] =
      await admin`insert into public.conversations (org_id, client_id, site_id, visitor_id, status, closed_at, closed_by)
      values (${v.orgId}, ${v.clientId}, ${v.siteId}, ${v.id}, 'closed', now(), 'visitor') returning id`;
    expect(await latestOpenConversationId(sql, v.id)).toBeNull();
    const [open] =
      await admin`insert into public.conversations (org_id, client_id, site_id, visitor_id, status)
      values (${v.orgId}, ${v.clientId}, ${v.siteId}, ${v.id}, 'queued') returning id`;
    expect(closed?.id).toBeTruthy();
    expect(await latestOpenConversationId(sql, v.id)).toBe(open?.id);
  });
});
