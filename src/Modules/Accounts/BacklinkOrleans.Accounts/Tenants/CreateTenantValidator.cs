using BacklinkOrleans.Accounts.Contracts;
using BacklinkOrleans.SharedKernel.Tenancy;
using FluentValidation;

namespace BacklinkOrleans.Accounts.Tenants;

internal sealed class CreateTenantValidator : AbstractValidator<CreateTenantRequest>
{
    public CreateTenantValidator()
    {
        RuleFor(r => r.Id).NotEmpty()
            .Must(id => TenantId.TryFrom(id, out _, out _))
            .WithMessage("'id' must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit.");
        RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
    }
}
