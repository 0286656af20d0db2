# The Host (silo + HTTP API) as a container image; docker-compose.yml runs two of them on one PostgreSQL.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Host/BacklinkOrleans.Host -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV Urls=http://0.0.0.0:8080
EXPOSE 8080 11111 30000
ENTRYPOINT ["dotnet", "BacklinkOrleans.Host.dll"]
CMD ["serve"]
