import { describe, expect, it } from 'vitest';
import { redactUrl } from '../src/index.js';

describe('redactUrl', () => {
  it('replaces user info and secret-named query parameters, keeping the rest as spelled', () => {
    expect(
      redactUrl(
        'https://alice:hunter2@api.example.com/v1/x?page=2&access_token=abc&q=a%20b&apiKey=k&X-Amz-Signature=s',
      ),
    ).toBe(
      'https://***:***@api.example.com/v1/x?page=2&access_token=***&q=a%20b&apiKey=***&X-Amz-Signature=***',
    );
  });

  it('redacts a token given as the user name alone', () => {
    expect(redactUrl('https://ghp_secret@example.com/')).toBe('https://***@example.com/');
  });

  it('keeps a database role but not its password, in the authority or the query', () => {
    expect(
      redactUrl('postgresql://app:pw@db:5432/app?password=pw2&sslmode=require', { keepUsername: true }),
    ).toBe('postgresql://app:***@db:5432/app?password=***&sslmode=require');
  });

  it('leaves a URL without secrets unchanged and says when text is not a URL', () => {
    expect(redactUrl('http://127.0.0.1:3000/api/agents?limit=20')).toBe(
      'http://127.0.0.1:3000/api/agents?limit=20',
    );
    expect(redactUrl('not a url')).toBe('<invalid URL>');
  });
});
