import { equalBytes, termsDocumentMatches } from '@signet/core';
import { fail, type StepContext } from './context.js';

/** Policy: the seal is sound; is it what the caller requires? Exact matches only, no patterns. */
export function policyStep({ seal, input, config }: StepContext): void {
  const { policy, policyTags, policyTermsDigest } = config;
  const claims = seal.claims;
  if (input.termsDocument !== undefined && !termsDocumentMatches(config.backend, claims, input.termsDocument))
    fail('SIGNET_E_POLICY_TERMS', 'The envelope was served under another terms document than the one given.');
  if (policy.issuers !== undefined && !policy.issuers.includes(claims.issuer))
    fail('SIGNET_E_POLICY_ISSUER', `The envelope was issued by ${claims.issuer}, which the policy does not accept.`);
  if (policyTags !== undefined && !policyTags.some((t) => equalBytes(t, claims.account.tag)))
    fail('SIGNET_E_POLICY_ACCOUNT', 'The envelope was issued to another account than the policy expects.');
  const t = policy.terms;
  if (t !== undefined) {
    if (t.id !== undefined && t.id !== claims.terms.id)
      fail('SIGNET_E_POLICY_TERMS', `The envelope was served under terms ${claims.terms.id}, not ${t.id}.`);
    if (t.version !== undefined && t.version !== claims.terms.version)
      fail('SIGNET_E_POLICY_TERMS', `The envelope was served under terms version ${claims.terms.version}, not ${t.version}.`);
    if (policyTermsDigest !== undefined && !equalBytes(policyTermsDigest, claims.terms.digest))
      fail('SIGNET_E_POLICY_TERMS', 'The envelope was served under another terms document.');
  }
  if (policy.models !== undefined && !policy.models.includes(claims.model))
    fail('SIGNET_E_POLICY_MODEL', `The envelope names model ${claims.model}, which the policy does not accept.`);
  if (policy.maxAgeSeconds !== undefined && Math.floor(config.now() / 1000) - claims.issuedAt > policy.maxAgeSeconds)
    fail('SIGNET_E_TIME_TOO_OLD', 'The envelope is older than the policy allows.');
}
