// Answers to the job's application questions on the application page (issue 21 item 5).
// A knock-out only asks for a person's review: the decision form stays the only way to reject.
import type { ApplicationAnswers } from '../api.js';
import { when } from '../ui.js';

export function AnswersPanel({ answers }: { answers: ApplicationAnswers }) {
  return (
    <section aria-labelledby="answers-h" class="card answers" data-testid="answers">
      <h2 id="answers-h">Application questions</h2>
      {answers.knockedOut ? (
        <p role="note">
          <span class="badge flag-knockout">Knock-out: needs human review</span> An answer matched a knock-out rule of this job. Nothing was decided automatically: review the
          answers and record a decision.
        </p>
      ) : null}
      <dl>
        {answers.items.map((i) => (
          <div key={i.id}>
            <dt>
              {i.label}
              {i.knockout ? <span class="badge flag-knockout"> matched knock-out rule</span> : null}
            </dt>
            <dd>{i.text ?? <span class="muted">Not answered</span>}</dd>
          </div>
        ))}
      </dl>
      <p class="muted">Question set version {answers.questionsVersion}, answered {when(answers.at)}.</p>
    </section>
  );
}
