/** Where plain http is acceptable (a module without openid-client, for the lean refresh path). */

/** 127.0.0.0/8, ::1 and localhost: the only hosts where plain http is acceptable. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}
