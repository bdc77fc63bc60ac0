-- =============================================================================
-- Demo data: two support firms, so tenancy is visible from the first login.
--
-- Every demo user's password is chat-demo-2026. Fixed ids (readable prefixes:
-- 1… organizations, 2… users, 3… clients, 4… sites, 5… groups) let tests and
-- the README name them. Conversation history is generated with a fixed random
-- seed so analytics always show the same believable month.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Users (auth.users + their email identities, as hosted Supabase stores them)
-- -----------------------------------------------------------------------------
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change
)
select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
       extensions.crypt('chat-demo-2026', extensions.gen_salt('bf')), now(),
       '{"provider":"email","providers":["email"]}'::jsonb,
       jsonb_build_object('full_name', u.full_name), now(), now(), '', '', '', ''
from (values
  ('20000000-0000-4000-8000-000000000001'::uuid, 'owner@northwind.test',   'Nadia Owens'),
  ('20000000-0000-4000-8000-000000000002'::uuid, 'admin@northwind.test',   'Arjun Mehta'),
  ('20000000-0000-4000-8000-000000000003'::uuid, 'manager@northwind.test', 'Maria Lopez'),
  ('20000000-0000-4000-8000-000000000004'::uuid, 'agent1@northwind.test',  'Tom Becker'),
  ('20000000-0000-4000-8000-000000000005'::uuid, 'agent2@northwind.test',  'Aiko Tanaka'),
  ('20000000-0000-4000-8000-000000000006'::uuid, 'agent3@northwind.test',  'Samuel Okafor'),
  ('20000000-0000-4000-8000-000000000007'::uuid, 'viewer@acme.test',       'Vera Acheson'),
  ('20000000-0000-4000-8000-000000000008'::uuid, 'owner@contoso.test',     'Colin Stroud'),
  ('20000000-0000-4000-8000-000000000009'::uuid, 'agent@contoso.test',     'Priya Raman'),
  -- A member of both firms (Contoso's manager, a Northwind agent), so the org switcher shows.
  ('20000000-0000-4000-8000-000000000010'::uuid, 'lead@contoso.test',      'Rosa Lindqvist')
) as u (id, email, full_name);

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id, jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true),
       'email', now(), now(), now()
from auth.users u
where u.email like '%.test';

-- -----------------------------------------------------------------------------
-- Organizations, clients, groups, members
-- -----------------------------------------------------------------------------
insert into public.organizations (id, name, slug) values
  ('10000000-0000-4000-8000-000000000001', 'Northwind Support', 'northwind'),
  ('10000000-0000-4000-8000-000000000002', 'Contoso Care', 'contoso');

insert into public.clients (org_id, id, name, contact_email, notes) values
  ('10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'Acme Travel', 'support-lead@acme.test',
   'Online travel agency: flights, hotels, packages. Peak season June to August.'),
  ('10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000002', 'Globex Shop', 'ops@globex.test',
   'Consumer electronics web shop. Returns within 30 days.'),
  ('10000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000003', 'Fabrikam Health', 'care@fabrikam.test',
   'Telehealth appointments. Never give medical advice in chat.');

insert into public.groups (org_id, id, name, description, routing_mode) values
  ('10000000-0000-4000-8000-000000000001', '50000000-0000-4000-8000-000000000001', 'Bookings', 'New bookings, changes and cancellations', 'auto'),
  ('10000000-0000-4000-8000-000000000001', '50000000-0000-4000-8000-000000000002', 'Billing', 'Payments, invoices and refunds', 'auto'),
  ('10000000-0000-4000-8000-000000000001', '50000000-0000-4000-8000-000000000003', 'Technical', 'Website, app and account problems', 'manual'),
  ('10000000-0000-4000-8000-000000000002', '50000000-0000-4000-8000-000000000004', 'Appointments', 'Booking and moving appointments', 'auto');

insert into public.org_members (org_id, user_id, role, client_id, display_name, email, max_chats)
select '10000000-0000-4000-8000-000000000001', u.id, m.role::public.org_role, m.client_id::uuid, u.raw_user_meta_data ->> 'full_name', u.email, m.max_chats
from (values
  ('owner@northwind.test', 'owner', null, 5),
  ('admin@northwind.test', 'admin', null, 5),
  ('manager@northwind.test', 'manager', null, 6),
  ('agent1@northwind.test', 'agent', null, 6),
  ('agent2@northwind.test', 'agent', null, 5),
  ('agent3@northwind.test', 'agent', null, 4),
  ('viewer@acme.test', 'client_viewer', '30000000-0000-4000-8000-000000000001', 0),
  ('lead@contoso.test', 'agent', null, 3)
) as m (email, role, client_id, max_chats)
join auth.users u on u.email = m.email;

insert into public.org_members (org_id, user_id, role, display_name, email, max_chats)
select '10000000-0000-4000-8000-000000000002', u.id, m.role::public.org_role, u.raw_user_meta_data ->> 'full_name', u.email, 5
from (values ('owner@contoso.test', 'owner'), ('agent@contoso.test', 'agent'), ('lead@contoso.test', 'manager')) as m (email, role)
join auth.users u on u.email = m.email;

-- agent1: Bookings + Billing; agent2: Billing + Technical; agent3: Technical only; the manager covers Bookings.
insert into public.group_members (org_id, group_id, user_id, max_chats, skills, languages)
select g.org_id, g.id, u.id, gm.max_chats, gm.skills, gm.languages
from (values
  ('Bookings', 'agent1@northwind.test', 4, '{flights,hotels}'::text[], '{en,de}'::text[]),
  ('Billing', 'agent1@northwind.test', 2, '{refunds}', '{en,de}'),
  ('Billing', 'agent2@northwind.test', 3, '{refunds,invoices}', '{en,ja}'),
  ('Technical', 'agent2@northwind.test', 2, '{app}', '{en,ja}'),
  ('Technical', 'agent3@northwind.test', 4, '{app,accounts}', '{en,fr}'),
  ('Bookings', 'manager@northwind.test', 2, '{flights}', '{en,es}'),
  ('Appointments', 'agent@contoso.test', 5, '{}', '{en}')
) as gm (group_name, email, max_chats, skills, languages)
join public.groups g on g.name = gm.group_name
join auth.users u on u.email = gm.email;

insert into public.agent_status (org_id, user_id, status, max_chats)
select m.org_id, m.user_id, 'offline', least(4, m.max_chats)
from public.org_members m where m.role <> 'client_viewer';

-- -----------------------------------------------------------------------------
-- Sites: localhost and 127.0.0.1 are allowed so the demo page works out of the box
-- -----------------------------------------------------------------------------
insert into public.sites (org_id, client_id, id, name, site_key, allowed_domains, widget_settings, greetings,
                          business_hours, time_zone, prechat_fields, topics, default_group_id) values
  ('10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001',
   'acmetravel.test', 'acme_travel_demo', '{localhost,127.0.0.1,acmetravel.test,*.acmetravel.test}',
   '{"color":"#0e7490","position":"right","launcherText":"Chat with us","title":"Acme Travel"}',
   '[{"from":"05:00","to":"12:00","text":"Good morning! Planning a trip?"},
     {"from":"12:00","to":"18:00","text":"Good afternoon! How can we help with your travel?"},
     {"from":"18:00","to":"05:00","text":"Good evening! Ask us anything about your booking."}]',
   '{"mon":[{"open":"08:00","close":"20:00"}],"tue":[{"open":"08:00","close":"20:00"}],"wed":[{"open":"08:00","close":"20:00"}],
     "thu":[{"open":"08:00","close":"20:00"}],"fri":[{"open":"08:00","close":"20:00"}],"sat":[{"open":"10:00","close":"16:00"}]}',
   'Europe/Berlin',
   '[{"name":"booking_ref","label":"Booking reference","type":"text","required":false}]',
   '[{"label":"A new or existing booking","group_id":"50000000-0000-4000-8000-000000000001"},
     {"label":"Payments and refunds","group_id":"50000000-0000-4000-8000-000000000002"},
     {"label":"Website or app problem","group_id":"50000000-0000-4000-8000-000000000003"}]',
   '50000000-0000-4000-8000-000000000001'),
  ('10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000002', '40000000-0000-4000-8000-000000000002',
   'globexshop.test', 'globex_shop_demo', '{localhost,127.0.0.1,globexshop.test}',
   '{"color":"#7c3aed","position":"right","launcherText":"Need help?","title":"Globex Shop"}',
   '[{"from":"00:00","to":"24:00","text":"Hi! Questions about an order? We are here."}]',
   '{}', 'America/New_York', '[{"name":"order_number","label":"Order number","type":"text","required":false}]',
   '[{"label":"Orders and payments","group_id":"50000000-0000-4000-8000-000000000002"},
     {"label":"Technical help","group_id":"50000000-0000-4000-8000-000000000003"}]',
   '50000000-0000-4000-8000-000000000002'),
  ('10000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000003',
   'fabrikamhealth.test', 'fabrikam_health_demo', '{localhost,127.0.0.1,fabrikamhealth.test}',
   '{"color":"#15803d","position":"left","launcherText":"Talk to us","title":"Fabrikam Health"}',
   '[{"from":"00:00","to":"24:00","text":"Hello! We can help you book or move an appointment."}]',
   '{}', 'Europe/London', '[]', '[]', '50000000-0000-4000-8000-000000000004');

-- -----------------------------------------------------------------------------
-- FAQs (A = Acme Travel, G = Globex Shop, null = every client)
-- -----------------------------------------------------------------------------
insert into public.faqs (org_id, client_id, question, answer, tags, created_by, use_count)
select '10000000-0000-4000-8000-000000000001',
       case f.client when 'A' then '30000000-0000-4000-8000-000000000001'::uuid
                     when 'G' then '30000000-0000-4000-8000-000000000002'::uuid end,
       f.question, f.answer, f.tags, '20000000-0000-4000-8000-000000000003', f.uses
from (values
  ('A', 'How do I change the date of my flight?', 'Open "My trips", choose the booking and press "Change flight". Fare differences and the airline''s change fee are shown before you confirm. Basic fares cannot be changed.', '{flights,changes}'::text[], 41),
  ('A', 'Can I cancel my hotel booking for free?', 'Most hotel rates are free to cancel until 48 hours before check-in; the exact deadline is on your confirmation email under "Cancellation policy". Non-refundable rates are marked in red.', '{hotels,cancellation}', 35),
  ('A', 'How much luggage can I take?', 'Your baggage allowance depends on the airline and fare. It is listed per passenger in "My trips" → "Baggage". You can add checked bags there up to 24 hours before departure.', '{flights,baggage}', 29),
  ('A', 'When will I receive my e-ticket?', 'E-tickets are emailed within 2 hours of payment. If it has not arrived, check your spam folder, then use "Resend documents" in "My trips".', '{tickets}', 33),
  ('A', 'How do I add a passenger to an existing booking?', 'Airlines do not allow adding passengers to an issued ticket. Book a separate ticket for the new traveller on the same flight and we can link the bookings for seating.', '{flights,passengers}', 12),
  ('A', 'Can I change the name on my ticket?', 'Spelling corrections of up to three letters are free. A full name change is treated as a new booking by most airlines. Send us the booking reference and the passport spelling.', '{tickets,names}', 18),
  ('A', 'What happens if my flight is cancelled?', 'You will get an email with the airline''s rebooking offer. You can accept it, choose another flight free of charge, or request a full refund from "My trips" → "Disruptions".', '{flights,disruption}', 27),
  ('A', 'Do I need a visa for my trip?', 'Visa rules depend on your nationality and destination. We show the official requirements in the booking summary, but the traveller is responsible for valid documents. Check the destination embassy website before you travel.', '{documents}', 9),
  ('A', 'How do I choose my seat?', 'Seat selection opens after ticketing in "My trips" → "Seats". Some fares include free standard seats; extra-legroom seats have a fee shown on the seat map.', '{flights,seats}', 21),
  ('A', 'Is travel insurance included?', 'Insurance is not included in the fare. You can add our partner''s travel insurance up to 24 hours after booking from "My trips" → "Extras".', '{insurance}', 7),
  ('A', 'Can I pay for a package in instalments?', 'Packages over €600 can be paid in three instalments by card. The option appears at checkout; the last instalment is due 30 days before departure.', '{payments,packages}', 11),
  ('A', 'Where do I find my hotel confirmation number?', 'The hotel confirmation number is in your voucher PDF, attached to the confirmation email and downloadable from "My trips".', '{hotels}', 14),
  ('G', 'Where is my order?', 'You can track your parcel from "Orders" → "Track". Orders ship within one working day; delivery takes 2–4 working days in the continental US.', '{orders,shipping}', 52),
  ('G', 'How do I return an item?', 'Start a return from "Orders" → "Return items" within 30 days of delivery. Print the prepaid label and drop the parcel at any UPS point. Refunds are issued within 5 days of receipt.', '{returns}', 44),
  ('G', 'My item arrived damaged. What should I do?', 'Sorry about that! Send us photos of the item and the packaging in this chat or by email within 7 days. We will ship a replacement at no cost, usually the same day.', '{returns,damage}', 23),
  ('G', 'Can I change my delivery address?', 'You can change the address until the order is packed (status "Processing"). After that, use the carrier''s tracking page to redirect the parcel.', '{orders,shipping}', 16),
  ('G', 'Do you ship internationally?', 'We ship to Canada, the UK and the EU. Duties and taxes are calculated at checkout, so there are no surprises on delivery.', '{shipping}', 10),
  ('G', 'How long is the warranty?', 'All electronics carry a 2-year manufacturer warranty. Register your product in "My account" → "Warranty" for faster claims.', '{warranty}', 19),
  ('G', 'Can I use more than one discount code?', 'Only one discount code can be used per order. Gift cards can be combined with a discount code.', '{discounts}', 13),
  ('G', 'Is my payment secure?', 'Payments are processed by our PCI-DSS certified provider. We never see or store your full card number.', '{payments,security}', 6),
  (null, 'How do I request a refund?', 'Refunds go back to the original payment method. Once approved, cards show the refund in 5–10 working days depending on your bank. We email you when it is issued.', '{refunds,billing}', 48),
  (null, 'Can I get an invoice for my purchase?', 'Invoices are available as PDF in your account under "Invoices". To add a company name or VAT number, send it to us here and we will reissue the invoice.', '{invoices,billing}', 31),
  (null, 'Which payment methods do you accept?', 'We accept Visa, Mastercard, American Express, PayPal and Apple Pay. Bank transfer is available for orders over $1,000.', '{payments}', 25),
  (null, 'Why was my card declined?', 'Most declines come from the bank''s fraud check or a 3-D Secure step that timed out. Try again and approve the payment in your banking app, or use another card.', '{payments}', 22),
  (null, 'I was charged twice. What do I do?', 'A second charge is usually a pending authorisation that disappears within 3 working days. If it is still there after that, send us a screenshot of your statement and we will refund it.', '{payments,billing}', 17),
  (null, 'How do I reset my password?', 'Click "Forgot password" on the sign-in page and enter your email. The reset link is valid for one hour. Check your spam folder if it does not arrive.', '{account}', 38),
  (null, 'How do I delete my account?', 'Go to "My account" → "Privacy" → "Delete account". We erase your personal data within 30 days, except records we must keep by law (invoices).', '{account,privacy}', 8),
  (null, 'The website is not loading. What can I do?', 'Please try a private window or another browser, and clear the cache. If it still fails, tell us your browser and device and send a screenshot of the error.', '{technical}', 15),
  (null, 'I did not receive the confirmation email.', 'Check your spam or promotions folder first. If it is not there, confirm your email address with us and we will resend it.', '{email}', 28),
  (null, 'The mobile app crashes when I open it.', 'Update the app to the latest version from the App Store or Google Play, then restart your phone. If it still crashes, tell us the phone model and OS version.', '{technical,app}', 12),
  (null, 'How do I update my email address?', 'Go to "My account" → "Profile" and change the email. We send a confirmation link to the new address; the change takes effect once you click it.', '{account}', 14),
  (null, 'Can I speak to someone by phone?', 'Chat is the fastest way to reach us. If you prefer a call, we can start a video call from this chat, or arrange a callback during business hours.', '{contact}', 9),
  (null, 'What are your opening hours?', 'Our team is online Monday to Friday 08:00–20:00 and Saturday 10:00–16:00. Outside those hours, leave a message and we reply by email.', '{contact}', 20)
) as f (client, question, answer, tags, uses);

insert into public.faqs (org_id, client_id, question, answer, tags, created_by, use_count)
select '10000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000003', f.question, f.answer, f.tags,
       '20000000-0000-4000-8000-000000000008', f.uses
from (values
  ('How do I book an appointment?', 'Choose "Book" in the app, pick a specialty and a free slot. You receive a confirmation with the video link.', '{appointments}'::text[], 12),
  ('Can I move my appointment?', 'Appointments can be moved free of charge up to 4 hours before the start from "My appointments".', '{appointments}', 9),
  ('Is my health data private?', 'Your data is stored encrypted in the EU and shared only with the clinician you book. We never sell data.', '{privacy}', 4),
  ('What if my video connection fails?', 'Rejoin from the link in your confirmation. If it fails again, the clinician calls your phone number instead.', '{technical}', 6),
  ('How much does a consultation cost?', 'Prices depend on the specialty and are shown before you book. Most insurers reimburse online consultations.', '{billing}', 7)
) as f (question, answer, tags, uses);

-- -----------------------------------------------------------------------------
-- Snippets: org-wide (owner_id null) and a few personal ones
-- -----------------------------------------------------------------------------
insert into public.snippets (org_id, owner_id, shortcut, title, body)
select '10000000-0000-4000-8000-000000000001', s.owner::uuid, s.shortcut, s.title, s.body
from (values
  (null, 'hello', 'Greeting', 'Hi, thanks for reaching out! My name is {agent}. How can I help you today?'),
  (null, 'moment', 'One moment', 'Thanks for your patience, I am checking that for you now. It will take a minute.'),
  (null, 'ref', 'Ask for reference', 'Could you please send me your booking or order reference? It is in your confirmation email.'),
  (null, 'refund', 'Refund timeline', 'I have requested the refund. It goes back to your original payment method within 5–10 working days.'),
  (null, 'transfer', 'Before a transfer', 'I am connecting you with a colleague who specialises in this. They will see our conversation, so you will not need to repeat yourself.'),
  (null, 'screenshot', 'Ask for a screenshot', 'Could you send me a screenshot of what you see? You can paste it straight into this chat.'),
  (null, 'email', 'Confirm email', 'Can you confirm the email address you used for the booking, so I can find your account?'),
  (null, 'anything', 'Anything else?', 'Is there anything else I can help you with today?'),
  (null, 'bye', 'Closing', 'Thanks for chatting with us! If anything else comes up, just open the chat again. Have a great day.'),
  (null, 'hours', 'Opening hours', 'Our team is online Monday to Friday 08:00–20:00 and Saturday 10:00–16:00.'),
  (null, 'escalate', 'Escalation', 'I have escalated this to our specialist team. You will receive an email update within 24 hours.'),
  ('20000000-0000-4000-8000-000000000004', 'sig', 'My sign-off', 'Best regards, Tom from Acme Travel support'),
  ('20000000-0000-4000-8000-000000000005', 'sig', 'My sign-off', 'Kind regards, Aiko – Globex customer care'),
  ('20000000-0000-4000-8000-000000000006', 'cache', 'Clear cache steps', 'Please clear your browser cache: press Ctrl+Shift+Delete, choose "Cached images and files", then reload the page.')
) as s (owner, shortcut, title, body);

insert into public.snippets (org_id, owner_id, shortcut, title, body) values
  ('10000000-0000-4000-8000-000000000002', null, 'hello', 'Greeting', 'Hello, this is Fabrikam Health support. How can I help?'),
  ('10000000-0000-4000-8000-000000000002', null, 'nomed', 'No medical advice', 'I am not able to give medical advice in chat, but I can book you an appointment with a clinician.');

-- -----------------------------------------------------------------------------
-- A month of closed conversations with messages and ratings, so history and
-- analytics have something to show. Deterministic: setseed() fixes random().
-- -----------------------------------------------------------------------------
do $$
declare
  -- One row per kind of question: group, client, visitor's question, agent's answer.
  script record;
  scripts jsonb := '[
    {"org":"10000000-0000-4000-8000-000000000001","client":"30000000-0000-4000-8000-000000000001","site":"40000000-0000-4000-8000-000000000001","group":"50000000-0000-4000-8000-000000000001","topic":"A new or existing booking","agents":["20000000-0000-4000-8000-000000000004","20000000-0000-4000-8000-000000000003"],
     "q":"Hi, I need to change the date of my flight to Lisbon. Is that possible?","a":"Yes, it is. Open My trips, choose the booking and press Change flight; the fare difference is shown before you confirm. Shall I check the options for you?"},
    {"org":"10000000-0000-4000-8000-000000000001","client":"30000000-0000-4000-8000-000000000001","site":"40000000-0000-4000-8000-000000000001","group":"50000000-0000-4000-8000-000000000001","topic":"A new or existing booking","agents":["20000000-0000-4000-8000-000000000004","20000000-0000-4000-8000-000000000003"],
     "q":"Can I still cancel my hotel in Rome for free? Check-in is next Friday.","a":"Your rate is free to cancel until 48 hours before check-in, so until Wednesday 15:00. I can cancel it for you now if you like."},
    {"org":"10000000-0000-4000-8000-000000000001","client":"30000000-0000-4000-8000-000000000001","site":"40000000-0000-4000-8000-000000000001","group":"50000000-0000-4000-8000-000000000001","topic":"A new or existing booking","agents":["20000000-0000-4000-8000-000000000004"],
     "q":"I haven''t received my e-ticket yet, I paid two hours ago.","a":"I have resent your documents to the email on the booking. Please also check the spam folder; it should arrive within a few minutes."},
    {"org":"10000000-0000-4000-8000-000000000001","client":"30000000-0000-4000-8000-000000000001","site":"40000000-0000-4000-8000-000000000001","group":"50000000-0000-4000-8000-000000000002","topic":"Payments and refunds","agents":["20000000-0000-4000-8000-000000000004","20000000-0000-4000-8000-000000000005"],
     "q":"My flight was cancelled by the airline, how do I get my money back?","a":"I am sorry about that. I have requested a full refund; it goes back to your card within 5-10 working days and you will get an email when it is issued."},
    {"org":"10000000-0000-4000-8000-000000000001","client":"30000000-0000-4000-8000-000000000002","site":"40000000-0000-4000-8000-000000000002","group":"50000000-0000-4000-8000-000000000002","topic":"Orders and payments","agents":["20000000-0000-4000-8000-000000000005","20000000-0000-4000-8000-000000000004"],
     "q":"I was charged twice for order GX-20417.","a":"I can see one payment and one pending authorisation. The pending one disappears within 3 working days; if it does not, send me a screenshot and I will refund it."},
    {"org":"10000000-0000-4000-8000-000000000001","client":"30000000-0000-4000-8000-000000000002","site":"40000000-0000-4000-8000-000000000002","group":"50000000-0000-4000-8000-000000000002","topic":"Orders and payments","agents":["20000000-0000-4000-8000-000000000005"],
     "q":"Where is my order? It says shipped but nothing since Monday.","a":"Your parcel is at the regional UPS hub and is scheduled for delivery tomorrow. Here is the tracking page link from your order page."},
    {"org":"10000000-0000-4000-8000-000000000001","client":"30000000-0000-4000-8000-000000000002","site":"40000000-0000-4000-8000-000000000002","group":"50000000-0000-4000-8000-000000000003","topic":"Technical help","agents":["20000000-0000-4000-8000-000000000006","20000000-0000-4000-8000-000000000005"],
     "q":"The checkout page keeps spinning and never loads.","a":"Thanks for the details. Please try a private window; a browser extension is often the cause. I have also reported it to our web team."},
    {"org":"10000000-0000-4000-8000-000000000001","client":"30000000-0000-4000-8000-000000000001","site":"40000000-0000-4000-8000-000000000001","group":"50000000-0000-4000-8000-000000000003","topic":"Website or app problem","agents":["20000000-0000-4000-8000-000000000006"],
     "q":"I can''t log in to the app, it says my password is wrong but I just reset it.","a":"I have cleared the lock on your account after too many attempts. Please try once more with the new password; it should work now."},
    {"org":"10000000-0000-4000-8000-000000000002","client":"30000000-0000-4000-8000-000000000003","site":"40000000-0000-4000-8000-000000000003","group":"50000000-0000-4000-8000-000000000004","topic":"","agents":["20000000-0000-4000-8000-000000000009"],
     "q":"I need to move my appointment on Thursday to next week.","a":"Done: your appointment is now next Tuesday at 10:30 with the same clinician. The new video link is in your confirmation email."}
  ]';
  names text[] := array['Emma Schulz','Liam Carter','Sofia Rossi','Noah Kim','Olivia Brown','Lucas Martin','Mia Novak',
                        'Ethan Walsh','Chloe Dubois','Mateo Garcia','Hannah Berg','Yusuf Demir','Zoe Clarke','Leon Wagner'];
  closings text[] := array['Perfect, thank you so much!','Great, that helps. Thanks!','OK thanks.','That was quick, thank you!','Thanks, have a nice day.'];
  feedbacks text[] := array['Fast and friendly.','Solved in minutes, great service.','','Agent was very helpful.','Took a while to get an answer.','','Clear instructions, thanks!'];
  i integer;
  s jsonb;
  v_id uuid;
  c_id uuid;
  agent uuid;
  visitor_name text;
  started timestamptz;
  wait interval;
  first_reply interval;
  handled interval;
  rating smallint;
begin
  perform setseed(0.2026);
  for i in 1..160 loop
    s := scripts -> (floor(random() * jsonb_array_length(scripts))::int);
    agent := (s -> 'agents' ->> (floor(random() * jsonb_array_length(s -> 'agents'))::int))::uuid;
    visitor_name := names[1 + floor(random() * array_length(names, 1))::int];
    -- Spread over the last 30 days, weighted to working hours (08:00-20:00).
    started := date_trunc('day', now()) - make_interval(days => floor(random() * 30)::int)
               + make_interval(hours => 8 + floor(random() * 12)::int, mins => floor(random() * 60)::int);
    wait := make_interval(secs => 5 + floor(random() * 170)::int);
    first_reply := make_interval(secs => 10 + floor(random() * 80)::int);
    handled := make_interval(mins => 2 + floor(random() * 18)::int);
    rating := case when random() < 0.25 then null
                   when random() < 0.75 then 5
                   when random() < 0.85 then 4
                   when random() < 0.93 then 3
                   else 1 + floor(random() * 2)::int end;

    insert into public.visitors (org_id, client_id, site_id, name, email, locale, user_agent, attributes, first_seen_at, last_seen_at)
    values ((s ->> 'org')::uuid, (s ->> 'client')::uuid, (s ->> 'site')::uuid, visitor_name,
            lower(replace(visitor_name, ' ', '.')) || '@example.test', 'en-GB',
            'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15',
            jsonb_build_object('current_url', 'https://' || (select name from public.sites where id = (s ->> 'site')::uuid) || '/help'),
            started - interval '3 minutes', started + wait + handled)
    returning id into v_id;

    insert into public.conversations (org_id, client_id, site_id, visitor_id, status, group_id, assignee_id, topic,
                                      created_at, queued_at, assigned_at, first_response_at, closed_at, closed_by,
                                      rating, feedback, rated_at)
    values ((s ->> 'org')::uuid, (s ->> 'client')::uuid, (s ->> 'site')::uuid, v_id, 'closed', (s ->> 'group')::uuid, agent,
            s ->> 'topic', started, started, started + wait, started + wait + first_reply, started + wait + handled,
            case when random() < 0.6 then 'agent' else 'visitor' end,
            rating, case when rating is null then '' else feedbacks[1 + floor(random() * array_length(feedbacks, 1))::int] end,
            case when rating is null then null else started + wait + handled + interval '20 seconds' end)
    returning id into c_id;

    insert into public.conversation_participants (org_id, conversation_id, user_id, role, joined_at, left_at, last_read_seq)
    values ((s ->> 'org')::uuid, c_id, agent, 'assignee', started + wait, started + wait + handled, 7);

    insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body, payload, created_at)
    values
      ((s ->> 'org')::uuid, c_id, 'seed-1', 'visitor', v_id, s ->> 'q', '{}', started),
      ((s ->> 'org')::uuid, c_id, 'seed-2', 'system', null, 'An agent joined the chat', '{"event":"agent_joined"}', started + wait),
      ((s ->> 'org')::uuid, c_id, 'seed-3', 'agent', agent, 'Hi ' || split_part(visitor_name, ' ', 1) || ', thanks for waiting. Let me look into that.', '{}', started + wait + first_reply),
      ((s ->> 'org')::uuid, c_id, 'seed-4', 'note', agent, 'Checked the booking system: nothing unusual on this account.', '{}', started + wait + first_reply + interval '30 seconds'),
      ((s ->> 'org')::uuid, c_id, 'seed-5', 'agent', agent, s ->> 'a', '{}', started + wait + handled / 2),
      ((s ->> 'org')::uuid, c_id, 'seed-6', 'visitor', v_id, closings[1 + floor(random() * array_length(closings, 1))::int], '{}', started + wait + handled - interval '1 minute'),
      ((s ->> 'org')::uuid, c_id, 'seed-7', 'system', null, 'The chat was closed', '{"event":"closed"}', started + wait + handled);
  end loop;

  -- Two messages left outside business hours, waiting in the follow-up queue.
  for i in 1..2 loop
    insert into public.visitors (org_id, client_id, site_id, name, email, locale)
    values ('10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001',
            names[i], lower(replace(names[i], ' ', '.')) || '@example.test', 'en-GB')
    returning id into v_id;
    insert into public.conversations (org_id, client_id, site_id, visitor_id, status, group_id, topic, created_at, queued_at)
    values ('10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001',
            v_id, 'offline', '50000000-0000-4000-8000-000000000001', 'A new or existing booking',
            now() - make_interval(hours => 10 + i), now() - make_interval(hours => 10 + i))
    returning id into c_id;
    insert into public.messages (org_id, conversation_id, client_msg_id, sender_kind, sender_id, body, created_at)
    values ('10000000-0000-4000-8000-000000000001', c_id, 'seed-1', 'visitor', v_id,
            case i when 1 then 'Hello, can I bring my dog on the Amsterdam package? Please email me.'
                   else 'I need an invoice with my company name for booking ACM-88213.' end,
            now() - make_interval(hours => 10 + i));
  end loop;
end
$$;
