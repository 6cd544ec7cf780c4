// enrollsim web lab: the page's behaviour. Plain JavaScript, no framework: the admin center
// reads and changes the tenant only through the lab's proxy to the world's admin API
// (/api/graph), the phone shows what the user saw (/api/state), and every request carries the
// lab's token. Text from the server is set with textContent, never parsed as HTML.
'use strict';

const TOKEN = document.querySelector('meta[name="lab-token"]').content;
const LIMIT_TYPE = '#microsoft.graph.deviceEnrollmentLimitConfiguration';
const PLATFORM_TYPE = '#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration';
const SCREEN_NAMES = {
  'company-portal': 'Company Portal', settings: 'Settings', 'setup-assistant': 'Setup Assistant',
  safari: 'Safari', 'sign-in': 'Sign in'
};
let lab = null;

// --- requests -------------------------------------------------------------------------------

async function api(method, path, body) {
  const options = { method, headers: { 'x-lab-token': TOKEN }, credentials: 'same-origin' };
  if (body !== undefined) {
    options.headers['content-type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const text = await response.text();
  if (!response.ok) throw new Error(text || response.statusText);
  const type = response.headers.get('content-type') || '';
  return type.startsWith('application/json') ? JSON.parse(text) : text;
}

async function graph(path) {
  const answer = await api('GET', '/api/graph?path=' + encodeURIComponent(path));
  if (answer.error !== undefined) throw new Error(graphError(answer));
  return answer.value;
}

async function change(method, path, body, done) {
  try {
    const answer = await api('POST', '/api/graph', { method, path, body });
    say(answer.error !== undefined ? 'The admin API refused: ' + graphError(answer) : done);
  } catch (e) {
    say('Failed: ' + e.message);
  }
  await refreshState();
}

function graphError(answer) {
  const e = answer.error;
  const text = e && e.error && e.error.message ? e.error.message : JSON.stringify(e);
  return answer.status + ' ' + text;
}

// --- small DOM helpers ------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') node.textContent = v;
    else if (k === 'onclick') node.addEventListener('click', v);
    else if (k === 'onsubmit') node.addEventListener('submit', (event) => { event.preventDefault(); v(event); });
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function button(text, onclick, label) {
  return el('button', { type: 'button', onclick, 'aria-label': label || null, text });
}

function table(caption, headings, rows) {
  if (rows.length === 0) return el('p', { text: caption + ': none.' });
  return el('table', {},
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, ...headings.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) =>
      el('td', {}, c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? '' : String(c))))))));
}

function say(text) {
  document.getElementById('status').textContent = text;
}

function show(title, ...nodes) {
  const view = document.getElementById('admin-view');
  view.replaceChildren(el('h3', { text: title }), ...nodes);
  view.focus({ preventScroll: true });
}

function field(id, labelText, input) {
  input.id = id;
  return el('div', { class: 'field' }, el('label', { for: id, text: labelText }), input);
}

// --- admin center panes ---------------------------------------------------------------------

const panes = {
  async users() {
    const [users, skus] = await Promise.all([graph('/v1.0/users'), graph('/v1.0/subscribedSkus')]);
    const rows = users.value.map((u) => [
      u.userPrincipalName, u.displayName,
      u.assignedLicenses.map((l) => l.skuPartNumber || l.skuId).join(', ') || 'none',
      (u.memberOf || []).join(', ') || 'none',
      u.strongAuthenticationRequired ? 'required' : 'off',
      el('span', {}, button('Devices', () => userDevices(u.id, u.userPrincipalName), 'Devices of ' + u.userPrincipalName),
        ' ', button('Disable per-user MFA', async () => { await change('PATCH', '/beta/users/' + u.id + '/authentication/requirements',
          { perUserMfaState: 'disabled' }, 'Per-user MFA disabled for ' + u.userPrincipalName); await openPane('users'); },
        'Disable per-user MFA for ' + u.userPrincipalName),
        ' ', licenceForm(u.id, u.userPrincipalName, skus.value))
    ]);
    show('Users', table('Users, their licences and groups', ['User', 'Name', 'Licences', 'Groups', 'Per-user MFA', 'Actions'], rows));
  },

  async restrictions() {
    const configs = await graph('/v1.0/deviceManagement/deviceEnrollmentConfigurations');
    // As the admin center lists them: by priority, the default (priority 0) last.
    const rank = (c) => (c.priority ? c.priority : Number.MAX_SAFE_INTEGER);
    const sorted = configs.value.slice().sort((a, b) => rank(a) - rank(b));
    const nodes = [];
    for (const c of sorted) {
      const assignments = await graph('/v1.0/deviceManagement/deviceEnrollmentConfigurations/' + c.id + '/assignments');
      nodes.push(restrictionCard(c, assignments.value));
    }
    show('Enrollment restrictions', ...nodes);
  },

  async 'conditional-access'() {
    const policies = await graph('/v1.0/identity/conditionalAccess/policies');
    const rows = policies.value.map((p) => [p.displayName, p.state,
      ((p.grantControls || {}).builtInControls || []).join(', '), policyStateForm(p)]);
    show('Conditional Access', table('Conditional Access policies', ['Policy', 'State', 'Grant controls', 'Change'], rows));
  },

  async apns() {
    let cert = null;
    try { cert = await graph('/v1.0/deviceManagement/applePushNotificationCertificate'); } catch (e) { cert = null; }
    const actions = el('div', { class: 'actions' },
      button('Renew', () => apns('renew'), 'Renew the push certificate (same Apple ID, same topic)'),
      button('Replace (create a new certificate)', () => apns('replace'), 'Replace the push certificate with a new one (a new topic)'),
      button('Upload a certificate', () => apns('upload'), 'Upload a new push certificate'));
    if (!cert) return show('Apple MDM push certificate', el('p', { text: 'No Apple MDM push certificate has been uploaded.' }), actions);
    const facts = el('dl', {},
      ...['appleIdentifier', 'topicIdentifier', 'expirationDateTime', 'lastModifiedDateTime', 'certificateUploadStatus']
        .flatMap((k) => [el('dt', { text: k }), el('dd', { text: cert[k] === null || cert[k] === undefined ? '—' : String(cert[k]) })]));
    show('Apple MDM push certificate', facts, actions);
  },

  async ade() {
    const tokens = await graph('/beta/deviceManagement/depOnboardingSettings');
    if (tokens.value.length === 0) return show('Enrollment program tokens', el('p', { text: 'No enrollment program token.' }));
    show('Enrollment program tokens', ...tokens.value.map(tokenCard));
  },

  async devices() {
    const devices = await graph('/v1.0/deviceManagement/managedDevices');
    show('All devices', devicesTable('All devices', devices.value));
  },

  async troubleshooting() {
    const events = await graph('/v1.0/deviceManagement/troubleshootingEvents');
    const rows = events.value.map((e) => [e.eventDateTime, e.userId || e.userPrincipalName, e.deviceId,
      e.failureCategory || e.enrollmentType, e.failureReason || '', e.failureDetail || e.additionalInformation || '']);
    show('Troubleshooting + support', table('Enrollment failures', ['When', 'User', 'Device', 'Category', 'Reason', 'Detail'], rows));
  },

  async tenant() {
    const orgs = await graph('/v1.0/organization');
    show('Tenant administration', ...orgs.value.map((o) => el('article', { class: 'card' },
      el('h4', { text: o.displayName || o.id }),
      el('p', { text: 'MDM authority: ' + (o.mobileDeviceManagementAuthority || 'unknown') }),
      button('Set MDM authority to Intune', async () => {
        await change('POST', '/v1.0/organization/' + o.id + '/setMobileDeviceManagementAuthority', undefined, 'MDM authority set');
        await openPane('tenant');
      }, 'Set the MDM authority of ' + (o.displayName || o.id) + ' to Intune'))));
  },

  async abm() {
    show('Apple Business Manager',
      el('p', { text: 'Apple\'s portal, where the organization\'s devices and MDM servers are managed. It has no API an admin calls: these are its buttons.' }),
      el('div', { class: 'actions' },
        portalButton('Accept the new terms and conditions', 'accept-abm-terms'),
        portalButton('Add Intune\'s MDM server again', 'readd-mdm-server'),
        portalButton('Download a new server token and upload it to Intune', 'renew-ade-token'),
        portalButton('Upload Intune\'s public key to the MDM server', 'upload-public-key-to-abm')));
  },

  async adfs() {
    show('Federation service (AD FS)',
      el('p', { text: 'The on-premises federation service of a federated domain. It has no API an admin calls here: this is its management console.' }),
      portalButton('Enable the WS-Trust 1.3 Username/Mixed endpoint', 'enable-ws-trust-endpoint'));
  },

  async support() {
    show('Microsoft support',
      el('p', { text: 'A support request: Intune support can retry an ADE sync from the service.' }),
      portalButton('Ask support to retry the ADE sync', 'request-support-sync-retry'));
  },

  async 'sign-ins'() {
    const signIns = await graph('/v1.0/auditLogs/signIns');
    const rows = signIns.value.map((s) => [s.createdDateTime, s.userPrincipalName, s.appDisplayName,
      s.status ? (s.status.errorCode + ' ' + (s.status.failureReason || '')) : '', s.conditionalAccessStatus || '']);
    show('Sign-in logs', table('Sign-ins', ['When', 'User', 'Application', 'Status', 'Conditional Access'], rows));
  }
};

async function openPane(name) {
  try {
    await panes[name]();
  } catch (e) {
    show('Error', el('p', { text: e.message }));
  }
}

// Users are addressed by their object id: the admin API reads a path segment as it comes.
function licenceForm(id, upn, skus) {
  // A SKU part number, typed or picked from the tenant's subscriptions.
  const list = 'skus-' + id;
  const input = el('input', { type: 'text', list, required: true, size: 10 });
  return el('form', { class: 'inline-form', onsubmit: () => change('POST', '/v1.0/users/' + id + '/assignLicense',
    { addLicenses: [{ skuId: input.value }], removeLicenses: [] }, 'Licence assigned to ' + upn) },
  field('sku-' + id, 'Licence for ' + upn, input),
  el('datalist', { id: list }, ...skus.map((s) => el('option', { value: s.skuPartNumber }))),
  el('button', { type: 'submit', text: 'Assign licence' }));
}

async function userDevices(id, upn) {
  try {
    const devices = await graph('/v1.0/users/' + id + '/managedDevices');
    show('Devices of ' + upn, devicesTable('Devices of ' + upn, devices.value, () => userDevices(id, upn)));
  } catch (e) {
    show('Error', el('p', { text: e.message }));
  }
}

function devicesTable(caption, devices, reopen) {
  const again = reopen || (() => openPane('devices'));
  const act = (method, path, done) => async () => { await change(method, path, undefined, done); await again(); };
  const oldestFirst = devices.slice().sort((a, b) => (a.enrolledDateTime || '').localeCompare(b.enrolledDateTime || ''));
  const rows = oldestFirst.map((d) => {
    const name = d.deviceName + ' (' + d.serialNumber + ')';
    const base = '/v1.0/deviceManagement/managedDevices/' + d.id;
    return [d.deviceName, d.userPrincipalName, d.serialNumber, when(d.enrolledDateTime), when(d.lastSyncDateTime), d.managementState,
      d.lastPushFailure ? 'Unreachable: ' + d.lastPushFailure : '—',
      el('span', { class: 'actions' },
        button('Sync', act('POST', base + '/syncDevice', 'Sync sent to ' + name), 'Sync ' + name),
        button('Retire', act('POST', base + '/retire', 'Retired ' + name), 'Retire ' + name),
        button('Delete', act('DELETE', base, 'Deleted ' + name), 'Delete ' + name))];
  });
  return table(caption, ['Device', 'User', 'Serial', 'Enrolled', 'Last check-in', 'State', 'Last push', 'Actions'], rows);
}

// An RFC 3339 time as the admin center shows it: date and minutes (UTC).
function when(time) {
  return time ? time.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, '') : '—';
}

function restrictionCard(c, assignments) {
  const groups = assignments.map((a) => (a.target && (a.target.groupId || a.target['@odata.type'])) || '?').join(', ') || 'none';
  const card = el('article', { class: 'card' },
    el('h4', { text: c.displayName + ' (priority ' + c.priority + ')' }),
    el('p', { text: 'Assigned to: ' + groups }));
  const base = '/v1.0/deviceManagement/deviceEnrollmentConfigurations/' + c.id;
  if (c['@odata.type'] === LIMIT_TYPE) {
    const input = el('input', { type: 'number', min: 1, max: 15, value: c.limit, required: true });
    card.append(el('form', { class: 'inline-form', onsubmit: () => change('PATCH', base,
      { '@odata.type': LIMIT_TYPE, limit: Number(input.value) }, 'Device limit saved') },
    field('limit-' + c.id, 'Device limit of ' + c.displayName, input), el('button', { type: 'submit', text: 'Save device limit' })));
  } else if (c['@odata.type'] === PLATFORM_TYPE && c.iosRestriction) {
    const ios = c.iosRestriction;
    const blocked = el('input', { type: 'checkbox', checked: ios.platformBlocked });
    const personal = el('input', { type: 'checkbox', checked: ios.personalDeviceEnrollmentBlocked });
    card.append(el('form', { class: 'inline-form', onsubmit: () => change('PATCH', base,
      { '@odata.type': PLATFORM_TYPE, iosRestriction: Object.assign({}, ios, { platformBlocked: blocked.checked, personalDeviceEnrollmentBlocked: personal.checked }) },
      'Device type restriction saved') },
    field('ios-blocked-' + c.id, 'Block iOS/iPadOS (' + c.displayName + ')', blocked),
    field('ios-personal-' + c.id, 'Block personally owned iOS/iPadOS (' + c.displayName + ')', personal),
    el('button', { type: 'submit', text: 'Save device type restriction' })));
  }
  return card;
}

function policyStateForm(p) {
  const select = el('select', {}, ...['enabled', 'disabled', 'enabledForReportingButNotEnforced']
    .map((s) => el('option', { value: s, text: s, selected: s === p.state })));
  return el('form', { class: 'inline-form', onsubmit: () => change('PATCH', '/v1.0/identity/conditionalAccess/policies/' + p.id,
    { state: select.value }, 'Policy ' + p.displayName + ' saved') },
  field('ca-' + p.id, 'State of ' + p.displayName, select), el('button', { type: 'submit', text: 'Save' }));
}

function tokenCard(t) {
  const base = '/beta/deviceManagement/depOnboardingSettings/' + t.id;
  const card = el('article', { class: 'card' },
    el('h4', { text: t.tokenName || t.appleIdentifier || t.id }),
    el('p', { text: 'Expires ' + t.tokenExpirationDateTime + '; last sync ' + (t.lastSuccessfulSyncDateTime || 'never') +
      (t.syncedDeviceCount !== undefined ? '; ' + t.syncedDeviceCount + ' devices' : '') +
      (t.lastSyncError ? '; last sync error: ' + JSON.stringify(t.lastSyncError) : '') }),
    button('Sync now', async () => { await change('POST', base + '/syncWithAppleDeviceEnrollmentProgram', undefined, 'Sync requested'); await openPane('ade'); },
      'Sync ' + (t.tokenName || t.id) + ' with Apple'));
  const serials = (t.importedAppleDeviceIdentities || []).map((d) => d.serialNumber);
  card.append(el('p', { class: 'serials', text: 'Devices from Apple Business Manager: ' + (serials.join(', ') || 'none') }));
  for (const p of t.enrollmentProfiles || []) card.append(profileForm(base, p));
  card.append(newProfileForm(base, t.id));
  return card;
}

function newProfileForm(base, tokenId) {
  const name = el('input', { type: 'text', required: true });
  const method = el('select', {}, ...['setupAssistantModern', 'setupAssistantLegacy', 'companyPortal']
    .map((m) => el('option', { value: m, text: m })));
  const phone = el('input', { type: 'tel', value: '' });
  const department = el('input', { type: 'text', value: '' });
  const isDefault = el('input', { type: 'checkbox' });
  return el('form', { class: 'inline-form', onsubmit: async () => {
    const body = { displayName: name.value, authenticationMethod: method.value, isDefault: isDefault.checked };
    if (phone.value) body.supportPhoneNumber = phone.value;
    if (department.value) body.department = department.value;
    await change('POST', base + '/enrollmentProfiles', body, 'Profile ' + name.value + ' created');
    await openPane('ade');
  } },
  field('new-name-' + tokenId, 'New profile name', name), field('new-auth-' + tokenId, 'Authentication method of the new profile', method),
  field('new-phone-' + tokenId, 'Support phone of the new profile', phone), field('new-dept-' + tokenId, 'Department of the new profile', department),
  field('new-default-' + tokenId, 'Make it the default profile', isDefault), el('button', { type: 'submit', text: 'Create profile' }));
}

function profileForm(base, p) {
  const path = base + '/enrollmentProfiles/' + p.id;
  const description = el('input', { type: 'text', value: p.description || '' });
  const method = el('select', {}, ...['', 'companyPortal', 'setupAssistantModern', 'setupAssistantLegacy']
    .map((m) => el('option', { value: m, text: m || 'keep as is' })));
  const serials = el('input', { type: 'text', value: '' });
  const name = el('input', { type: 'text', value: p.displayName || '' });
  const phone = el('input', { type: 'tel', value: p.supportPhoneNumber || '' });
  const department = el('input', { type: 'text', value: p.department || '' });
  return el('div', { class: 'card' },
    el('h5', { text: 'Profile ' + p.displayName + ' (' + (p.authenticationMethod || '') + ', modified ' + (p.lastModifiedDateTime || '') + ')' }),
    el('form', { class: 'inline-form', onsubmit: () => {
      const body = { description: description.value };
      if (method.value) body.authenticationMethod = method.value;
      if (name.value !== (p.displayName || '')) body.displayName = name.value;
      if (phone.value !== (p.supportPhoneNumber || '')) body.supportPhoneNumber = phone.value;
      if (department.value !== (p.department || '')) body.department = department.value;
      return change('PATCH', path, body, 'Profile ' + p.displayName + ' saved').then(() => openPane('ade'));
    } }, field('name-' + p.id, 'Name of ' + p.displayName, name),
    field('phone-' + p.id, 'Support phone of ' + p.displayName, phone),
    field('dept-' + p.id, 'Department of ' + p.displayName, department),
    field('desc-' + p.id, 'Description of ' + p.displayName, description),
    field('auth-' + p.id, 'Authentication method of ' + p.displayName, method),
    el('button', { type: 'submit', text: 'Save profile' })),
    el('form', { class: 'inline-form', onsubmit: () => change('POST', path + '/updateDeviceProfileAssignment',
      { deviceIds: serials.value.split(',').map((s) => s.trim()).filter(Boolean) }, 'Profile assigned') },
    field('assign-' + p.id, 'Serial numbers to assign ' + p.displayName + ' to (comma separated)', serials),
    el('button', { type: 'submit', text: 'Assign profile' })));
}

function portalButton(text, action) {
  return button(text, async () => {
    try {
      const answer = await api('POST', '/api/portal', { action });
      say(answer.ok ? text + ': done.' : text + ': ' + answer.error);
    } catch (e) {
      say('Failed: ' + e.message);
    }
    await refreshState();
  });
}

async function apns(action) {
  try {
    const answer = await api('POST', '/api/apns', { action });
    say(answer.ok ? 'Push certificate: ' + action + ' done.' : 'Push certificate: ' + answer.error);
  } catch (e) {
    say('Failed: ' + e.message);
  }
  await openPane('apns');
  await refreshState();
}

// --- the device, logs, hints, debrief -------------------------------------------------------

function renderPhone(state) {
  const outcome = state.device.outcome;
  const screen = document.getElementById('phone-screen');
  const phone = document.getElementById('phone');
  phone.setAttribute('lang', (state.lab.language || 'en').replace('_', '-'));
  const app = SCREEN_NAMES[outcome.screen] || 'Company Portal';
  const nodes = [el('p', { class: 'app-name', text: outcome.outcome === 'enrolled' ? 'Company Portal' : app })];
  if (outcome.outcome === 'enrolled') {
    nodes.push(el('p', { class: 'ok', id: 'phone-message', text: '✓ ' + outcome.upn }));
  } else if (outcome.outcome === 'failed') {
    nodes.push(el('p', { class: 'alert', id: 'phone-message', text: outcome.text }));
  } else {
    nodes.push(el('p', { class: 'waiting', id: 'phone-message', text: outcome.detail }));
  }
  // Earlier screens, screen by screen, as the user went through them.
  const earlier = state.device.shown.slice(0, -1);
  if (earlier.length) {
    nodes.push(el('details', { class: 'earlier' }, el('summary', { text: 'Earlier screens (' + earlier.length + ')' }),
      el('ol', {}, ...earlier.map((m) => el('li', { text: (SCREEN_NAMES[m.screen] || m.screen) + ': ' + m.text })))));
  }
  nodes.push(el('p', { class: 'device-name', id: 'phone-about', text: state.lab.device_name + ' · iOS ' + state.lab.os_version + ' · ' + state.lab.serial }));
  screen.replaceChildren(...nodes);
  screen.dataset.outcome = outcome.outcome;
}

const ENROLL_VIA = {
  'company-portal': 'the Company Portal app', safari: 'the Company Portal website in Safari',
  ade: 'Setup Assistant (Automated Device Enrollment)'
};

// What the helpdesk heard: who, and how they tried; never the cause (the debrief names it).
function renderBrief(state) {
  const l = state.lab;
  document.getElementById('brief').textContent = l.user + ' called the helpdesk: enrolling their ' +
    l.device_name + ' with ' + (ENROLL_VIA[l.enroll_via] || l.enroll_via) +
    ' did not work. Investigate, fix, and have the user try again.';
}

function renderHints(state) {
  document.getElementById('hints').replaceChildren(...state.hints.map((h) => el('li', { text: h })));
  const b = document.getElementById('hint');
  b.textContent = state.hints_used >= state.hints_total ? 'No more hints' : 'Show a hint (' + state.hints_used + ' of ' + state.hints_total + ' used)';
  b.disabled = state.hints_used >= state.hints_total;
}

function renderDebrief(state) {
  const d = state.debrief;
  const box = document.getElementById('debrief');
  if (!d) { box.hidden = true; return false; }
  const wasHidden = box.hidden;
  const actions = d.actions.map((a) => el('li', { class: a.helped === false ? 'did-not-help' : '' , text:
    a.what + ' — ' + a.result + (a.helped === true ? ' (part of the fix)' : a.helped === false ? ' (did not help)' : '') }));
  box.replaceChildren(
    el('h3', { id: 'debrief-heading', text: d.solved ? 'Debrief: fixed' : 'Debrief: not fixed' }),
    el('p', { text: 'Scenario: ' + d.title + ' (' + d.scenario + ')' }),
    d.section ? el('p', { text: 'Article section: ' + d.section.heading + ' — ' + d.section.anchors }) : null,
    d.cause ? el('p', { text: 'Cause: ' + d.cause.title }) : null,
    el('h4', { text: 'The documented fix' }), el('ol', {}, ...d.documented_fix.map((t) => el('li', { text: t }))),
    el('h4', { text: 'Your actions' }), d.actions.length ? el('ol', { id: 'debrief-actions' }, ...actions) : el('p', { text: 'None.' }),
    el('p', { text: 'Time taken: ' + Math.floor(d.seconds / 60) + ' min ' + (d.seconds % 60) + ' s; hints used: ' + d.hints_used }));
  box.hidden = false;
  for (const b of document.querySelectorAll('#device button, #help button, .admin-view button')) b.disabled = true;
  const again = document.getElementById('new-lab');
  again.hidden = false;
  again.disabled = false;
  if (wasHidden) box.focus();
  return true;
}

async function refreshState(state) {
  try {
    lab = state || await api('GET', '/api/state');
  } catch (e) {
    say('The lab is not reachable: ' + e.message);
    return;
  }
  renderBrief(lab);
  renderPhone(lab);
  renderHints(lab);
  renderDebrief(lab);
}

async function act(path, body, done) {
  try {
    const answer = await api('POST', path, body);
    if (answer && answer.device) return refreshState(answer).then(() => say(done(answer)));
    say(answer.ok ? done(answer) : 'Failed: ' + answer.error);
  } catch (e) {
    say('Failed: ' + e.message);
  }
  await refreshState();
}

async function showLog(which) {
  try {
    const text = await api('GET', '/api/logs/' + which);
    const view = document.getElementById('log-view');
    view.textContent = text;
    view.setAttribute('aria-label', which === 'console' ? 'Device console log' : 'Company Portal log');
    view.focus();
  } catch (e) {
    say('Failed: ' + e.message);
  }
}

function wire() {
  for (const b of document.querySelectorAll('[data-pane]')) b.addEventListener('click', () => openPane(b.dataset.pane));
  for (const b of document.querySelectorAll('[data-device]')) {
    b.addEventListener('click', () => act('/api/device', { action: b.dataset.device }, () => b.textContent + ': done.'));
  }
  for (const b of document.querySelectorAll('[data-log]')) b.addEventListener('click', () => showLog(b.dataset.log));
  document.getElementById('cloud-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const cloud = document.getElementById('cloud').value;
    act('/api/device', { action: 'set-company-portal-cloud', cloud }, () => 'Company Portal cloud set to ' + cloud + '.');
  });
  document.getElementById('update-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const version = document.getElementById('os-version').value;
    const build = document.getElementById('os-build').value;
    act('/api/device', { action: 'update-os', version, build }, () => 'iOS ' + version + ' (' + build + ') installed.');
  });
  document.getElementById('wait-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const hours = Number(document.getElementById('wait-hours').value);
    act('/api/wait', { hours }, () => hours + ' hours passed.');
  });
  document.getElementById('enroll').addEventListener('click', () => act('/api/enroll', undefined,
    (s) => s.debrief ? 'The device enrolled.' : 'Still not enrolled.'));
  document.getElementById('new-lab').addEventListener('click', async () => {
    try {
      await api('POST', '/api/leave');
      window.location.reload();
    } catch (e) {
      say('Failed: ' + e.message);
    }
  });
  document.getElementById('hint').addEventListener('click', () => act('/api/hint', undefined, () => 'Hint shown.'));
  document.getElementById('give-up').addEventListener('click', () => act('/api/give-up', undefined, () => 'The lab has ended.'));
}

wire();
refreshState();
