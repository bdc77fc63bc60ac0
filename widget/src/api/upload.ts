/**
 * POST /v1/conversations/:id/attachments with XMLHttpRequest, because fetch() still cannot report
 * upload progress. Answers the stored attachment (its id goes into message.send).
 */
import type { Attachment } from '@chat/shared';

export interface UploadHandle {
  done: Promise<Attachment>;
  abort(): void;
}

export function uploadFile(
  server: string,
  token: string,
  conversationId: string,
  file: Blob,
  fileName: string,
  onProgress: (fraction: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Attachment>((resolve, reject) => {
    xhr.open('POST', `${server}/v1/conversations/${encodeURIComponent(conversationId)}/attachments`);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as (Attachment & { error?: { message: string } }) | null;
      if (xhr.status >= 200 && xhr.status < 300 && body) resolve(body);
      else reject(new Error(body?.error?.message ?? `Upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error('Network error'));
    xhr.onabort = () => reject(new Error('Cancelled'));
    const form = new FormData();
    form.append('file', file, fileName);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
